"""docker-compose.yml (no Docker engine runs here, so parse and check it) and project files."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


APP_SERVICES = ("web", "worker", "beat", "migrate")


def test_compose_defines_the_production_shape():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {
        "proxy",
        "web",
        "worker",
        "beat",
        "migrate",
        "postgres",
        "redis",
        "minio",
        "storage-init",
    }
    assert services["web"]["command"] == [
        "gunicorn",
        "--config",
        "docker/gunicorn.conf.py",
        "portal.wsgi:application",
    ]
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["REDIS_URL"].startswith("redis://redis:"), name
        # Uploads go to the compose file's object store, never to one host's disk.
        assert env["PORTAL_STORAGE_URL"].startswith("s3://"), name
        assert "@minio:9000/" in env["PORTAL_STORAGE_URL"], name
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        # Read-only root filesystem: /tmp is the only writable place (and no uploads volume,
        # since uploads live in the bucket).
        assert services[name]["read_only"] is True, name
        assert [t.split(":")[0] for t in services[name]["tmpfs"]] == ["/tmp"], name  # noqa: S108
        assert not services[name].get("volumes"), name
    assert {"pgdata", "objects", "redisdata", "caddy_data"} <= set(compose["volumes"])
    assert any(v.startswith("pgdata:") for v in services["postgres"]["volumes"])
    assert any(v.startswith("objects:") for v in services["minio"]["volumes"])


def test_compose_runs_migrations_once_before_the_app_starts():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
        assert "migrate" not in " ".join(services[name]["command"]), name
    assert services["migrate"]["restart"] == "no"
    assert "migrate" not in services["migrate"]["depends_on"]
    assert services["storage-init"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["storage-init"] == {
        "condition": "service_completed_successfully"
    }


def test_compose_health_checks_test_each_process_for_real():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "postgres", "redis", "minio"):
        assert "healthcheck" in services[name], name
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "bin/healthcheck", "web"]
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "bin/healthcheck", "beat"]
    # The worker pings its own node name, not "any worker".
    worker = services["worker"]
    assert "worker@%h" in worker["command"]
    ping = worker["healthcheck"]["test"][1]
    assert "inspect ping --destination worker@$$HOSTNAME" in ping
    # Beat writes the heartbeat the check reads.
    assert "portal.beat:HeartbeatScheduler" in services["beat"]["command"]
    assert services["beat"]["deploy"]["replicas"] == 1
    # The proxy waits for a healthy web; web is not published past the proxy.
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in services["web"]


def test_web_health_check_sends_a_host_django_accepts(monkeypatch):
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("healthcheck", str(ROOT / "bin/healthcheck"))
    spec = importlib.util.spec_from_loader("healthcheck", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "*,.portal.example.com,other.example.com")
    assert module._host() == "portal.example.com"
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost")
    assert module._host() == "localhost"


def test_proxy_terminates_tls_limits_bodies_and_serves_no_files():
    services = _compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].split(":")[0] == "caddy"
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    mounts = [v.split(":")[0] for v in proxy["volumes"]]
    assert mounts == ["./docker/Caddyfile", "caddy_data", "caddy_config"]
    caddyfile = (ROOT / "docker/Caddyfile").read_text()
    lines = [line.split("#")[0].strip() for line in caddyfile.splitlines()]
    assert "tls {$PORTAL_TLS:internal}" in lines
    assert not [line for line in lines if line.startswith(("file_server", "root ", "php"))]
    # The body limit must fit one request of the most files of the default size.
    import re

    from django.conf import settings

    (limit,) = re.findall(r"max_size \{\$PORTAL_MAX_BODY:(\d+)MB\}", caddyfile)
    assert proxy["environment"]["PORTAL_MAX_BODY"] == f"${{PORTAL_MAX_BODY:-{limit}MB}}"
    most = settings.PORTAL_MAX_FILES_PER_REQUEST * settings.DOCUMENT_DEFAULT_MAX_BYTES
    assert most < int(limit) * 1000 * 1000 < most * 1.2
    assert "@internal path /internal/* /healthz/ready" in lines
    assert "respond @internal 404" in lines


def test_image_runs_as_non_root_without_compilers_and_builds_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = dockerfile.split("\nFROM ")
    assert len(stages) == 3, "a build stage and a final stage"
    final = stages[-1]
    assert "USER portal" in final
    for absent in ("gcc", "g++", "build-essential", "pip install"):
        assert absent not in final, absent
    # One apt-get install, of runtime packages only (the PDF data sheet's Pango and CJK font,
    # the passport reader's Tesseract), lists removed.
    installs = re.findall(r"apt-get install -y --no-install-recommends ([^&]+)&&", final)
    assert final.count("apt-get install") == len(installs) == 1
    packages = set(installs[0].replace("\\", " ").split())
    assert packages == {
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "fontconfig",
        "fonts-noto-cjk",
        "tesseract-ocr",
    }
    assert "rm -rf /var/lib/apt/lists/*" in final
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert "sh docker/build.sh app" in stages[1]
    build = (ROOT / "docker/build.sh").read_text()
    for step in ("compilemessages", "collectstatic", "--require-hashes"):
        assert step in build, step
    assert "requirements.lock" in dockerfile


def test_dockerignore_keeps_secrets_and_local_data_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "var", "staticfiles", "**/__pycache__"):
        assert entry in ignored, entry
    assert "!.env.example" in ignored


def test_lock_files_pin_every_package_with_hashes():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "bin/check-lock")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text()
        blocks = [b for b in text.split("\n") if b and not b.startswith((" ", "#"))]
        assert len(blocks) > 40, name
        for block in blocks:
            assert "==" in block, block
            assert block.endswith("\\"), f"{name}: {block} has no hash"


def test_check_lock_names_a_dependency_added_without_relocking(tmp_path):
    import shutil
    import subprocess
    import sys

    for name in ("requirements.txt", "requirements-dev.txt", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "requirements-dev.lock", tmp_path / "requirements-dev.lock")
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin/check-lock", tmp_path / "bin/check-lock")
    with (tmp_path / "requirements.txt").open("a") as handle:
        handle.write("django-htmx==1.29.0\n")
    result = subprocess.run(
        [sys.executable, str(tmp_path / "bin/check-lock")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "requirements.txt pins django-htmx==1.29.0; requirements.lock has missing" in (
        result.stderr
    )
    assert "make lock" in result.stderr


def test_requirements_are_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-r"):
                continue
            assert "==" in line, f"{name}: {line} is not pinned"


def test_no_machine_specific_paths_in_project_files():
    """No file git tracks names this checkout's absolute path or a home directory."""
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:  # not a git checkout (an exported tarball): nothing to check
        return
    needles = [str(ROOT), "/ro" + "ot/", "/ho" + "me/"]
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png", ".jpg", ".pdf"}:
            continue
        text = path.read_text(errors="ignore")
        for needle in needles:
            assert needle not in text, f"{name} contains {needle}"


def test_beat_health_check_reads_the_heartbeat_age(tmp_path):
    import subprocess
    import sys
    import time

    heartbeat = tmp_path / "beat-heartbeat"

    def check() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "bin/healthcheck"), "beat"],
            env={"PORTAL_BEAT_HEARTBEAT_FILE": str(heartbeat), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )

    assert check().returncode == 1  # beat never ticked
    heartbeat.write_text(f"{time.time():.0f}\n")
    assert check().returncode == 0
    heartbeat.write_text(f"{time.time() - 61:.0f}\n")
    stale = check()
    assert stale.returncode == 1
    assert "last heartbeat" in stale.stderr
