"""Prove the image's steps without a Docker engine (run by .ci/run as root).

1. Copy the build context (the tree minus .dockerignore) to a scratch folder.
2. As an unprivileged user, run the Dockerfile's build steps there (docker/build.sh deps + app,
   the same script the Dockerfile runs).
3. Hand the result to root and take every write bit away (the image's files are root's), so the
   tree is read-only for that user; only an uploads folder and a tmp folder are writable.
4. As the unprivileged user, with the Dockerfile's ENV (container paths mapped onto the scratch
   folder), run docker-compose.yml's own commands: `migrate`, then `web`, `worker` and `beat`,
   and wait for each one's own health check from docker-compose.yml to pass.
5. Fetch a hashed static file and a Chinese page through gunicorn (collectstatic and
   compilemessages happened), then check no process died or printed a traceback.

Needs PostgreSQL and Redis on 127.0.0.1 (started by .ci/run). Exits non-zero with the reason.
"""

import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from fnmatch import fnmatch
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
USER = "portal-ci"
PIP_CACHE = Path("/var/cache/portal-image-ci/pip")
DATABASE = "portal_image_ci"
REDIS_URL = "redis://127.0.0.1:6379/9"
# The unprivileged user gets the system's PATH (Debian's python3, like the image's python),
# never a root-only toolchain.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


STARTED = time.monotonic()


def step(message: str) -> None:
    print(f"-- image check [{time.monotonic() - STARTED:5.1f} s]: {message}", flush=True)


def fail(message: str) -> None:
    print(f"IMAGE CHECK FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def ensure_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                USER,
            ],
            check=True,
        )
        return pwd.getpwnam(USER)


def build_context(target: Path) -> None:
    """The files `docker build .` would send: tracked and new files, minus .dockerignore."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )

    def ignored(name: str) -> bool:
        verdict = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            pat = pattern.lstrip("!").rstrip("/")
            parts = name.split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            hit = any(
                fnmatch(p, pat) or (pat.startswith("**/") and fnmatch(parts[i], pat[3:]))
                for i, p in enumerate(prefixes)
            )
            if hit:
                verdict = not negate
        return verdict

    for name in filter(None, listed):
        source = ROOT / name
        if ignored(name) or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)


def final_stage_env(mapping: dict[str, str]) -> dict[str, str]:
    """ENV of the Dockerfile's last stage, container paths replaced by scratch paths."""
    final = (ROOT / "Dockerfile").read_text().split("\nFROM ")[-1]
    env: dict[str, str] = {}
    for block in re.findall(r"^ENV (.*?)(?<!\\)$", final, re.M | re.S):
        for token in shlex.split(block.replace("\\\n", " ")):
            key, _, value = token.partition("=")
            value = value.replace("$PATH", SYSTEM_PATH)
            env[key] = map_paths(value, mapping)
    return env


def map_paths(value: str, mapping: dict[str, str]) -> str:
    """``value`` with each container path (a whole path segment prefix) replaced, in one pass."""
    pattern = "|".join(re.escape(c) for c in sorted(mapping, key=len, reverse=True))
    return re.sub(rf"(?<![\w/])({pattern})(?=/|:|$)", lambda m: mapping[m.group(1)], value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    started = time.monotonic()
    user = ensure_user()
    # In memory when the machine has /dev/shm: installing and removing some 15,000 files of
    # the virtual environment is then quick.
    shm = Path("/dev/shm")
    scratch = Path(tempfile.mkdtemp(prefix="portal-image-", dir=shm if shm.is_dir() else None))
    scratch.chmod(0o755)
    app, venv = scratch / "app", scratch / "venv"
    uploads, tmp = scratch / "srv-portal-private", scratch / "tmp"
    for folder in (app, venv, uploads, tmp):
        folder.mkdir()
    PIP_CACHE.mkdir(parents=True, exist_ok=True)
    for folder in (app, venv, uploads, tmp, PIP_CACHE.parent, PIP_CACHE):
        os.chown(folder, user.pw_uid, user.pw_gid)
    build_context(app)
    subprocess.run(["chown", "-R", f"{USER}:{USER}", str(app)], check=True)
    mapping = {
        "/app": str(app),
        "/opt/venv": str(venv),
        "/srv/portal/private": str(uploads),
        "/tmp": str(tmp),
    }
    as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    procs: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    try:
        step("build steps as an unprivileged user (docker/build.sh deps, app)")
        build_env = {
            "PATH": f"{venv}/bin:{SYSTEM_PATH}",
            "HOME": str(tmp),
            "TMPDIR": str(tmp),
            "PIP_CACHE_DIR": str(PIP_CACHE),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
        }
        for args in (["deps", str(venv), str(app / "requirements.lock")], ["app"]):
            step(f"docker/build.sh {args[0]}")
            subprocess.run(
                ["sh", "docker/build.sh", *args], cwd=app, env=build_env, check=True, **as_user
            )
        if not (app / "staticfiles/staticfiles.json").is_file():
            fail("collectstatic left no manifest")

        step("hand the tree to root, read-only; only uploads and tmp stay writable")
        subprocess.run(["chown", "-R", "root:root", str(app), str(venv)], check=True)
        subprocess.run(["chmod", "-R", "a-w", str(app), str(venv)], check=True)

        port = free_port()
        env = final_stage_env(mapping)
        services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
        env.update(
            {
                "LANG": "C.UTF-8",
                "HOSTNAME": socket.gethostname(),
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
                "DJANGO_ALLOWED_HOSTS": "localhost",
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
                "REDIS_URL": REDIS_URL,
                "CELERY_TASK_DEFAULT_QUEUE": "portal-image-ci",
                "PORTAL_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": "2",
                "DJANGO_PROXY_COUNT": "1",
            }
        )
        bucket = ""
        if os.environ.get("PORTAL_TEST_S3_ENDPOINT"):
            # Documents in a bucket of the S3 test server, as compose keeps them in MinIO.
            import boto3

            endpoint = os.environ["PORTAL_TEST_S3_ENDPOINT"]
            bucket = f"portal-image-ci-{secrets.token_hex(4)}"
            boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="image-ci",
                aws_secret_access_key="image-ci-secret",  # noqa: S106 - test server
            ).create_bucket(Bucket=bucket)
            netloc = endpoint.split("://", 1)[1]
            env["PORTAL_STORAGE_URL"] = (
                f"s3://image-ci:image-ci-secret@{netloc}/{bucket}?scheme=http&region=us-east-1"
            )
        else:
            env.pop("PORTAL_STORAGE_URL", None)
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)

        def start(name: str) -> None:
            logs[name] = scratch / f"{name}.log"
            command = [map_paths(c, mapping) for c in services[name]["command"]]
            procs[name] = subprocess.Popen(
                command,
                cwd=app,
                env=env,
                stdout=logs[name].open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **as_user,
            )

        def healthy(name: str, within: float) -> None:
            test = services[name]["healthcheck"]["test"]
            if test[0] == "CMD-SHELL":
                command = ["sh", "-c", test[1].replace("$$", "$")]
            else:
                command = test[1:]
            deadline = time.monotonic() + within
            while True:
                if procs[name].poll() is not None:
                    fail(
                        f"{name} exited with {procs[name].returncode}:\n"
                        + logs[name].read_text()[-3000:]
                    )
                result = subprocess.run(
                    command,
                    cwd=app,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=30,
                    check=False,
                    **as_user,
                )
                if result.returncode == 0:
                    step(f"{name} is healthy by its own compose health check")
                    return
                if time.monotonic() > deadline:
                    fail(
                        f"{name} health check still failing: {result.stdout}{result.stderr}\n"
                        + logs[name].read_text()[-3000:]
                    )
                time.sleep(1)

        step("compose `migrate` as the unprivileged user")
        start("migrate")
        if procs["migrate"].wait(timeout=300) != 0:
            fail("migrate failed:\n" + logs["migrate"].read_text()[-3000:])

        step("compose `web`, `worker` and `beat` as the unprivileged user")
        for name in ("web", "worker", "beat"):
            start(name)
        healthy("web", 60)
        healthy("beat", 60)
        healthy("worker", 90)

        base = f"http://127.0.0.1:{port}"
        headers = {"Host": "localhost", "X-Forwarded-Proto": "https"}
        manifest = json.loads((app / "staticfiles/staticfiles.json").read_text())["paths"]
        original, hashed = next((k, v) for k, v in manifest.items() if k.endswith(".css"))
        with urllib.request.urlopen(
            urllib.request.Request(f"{base}/static/{hashed}", headers=headers), timeout=10
        ) as response:
            if response.status != 200:
                fail(f"static file {hashed} answered {response.status}")
        step(f"static file {original} served as {hashed} (collectstatic ran at build time)")
        with urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/accounts/login/", headers={**headers, "Accept-Language": "zh-hans"}
            ),
            timeout=10,
        ) as response:
            page = response.read().decode()
        if "登录" not in page:
            fail("the login page is not in Chinese: compiled translations are missing")
        step("login page served in Chinese (compilemessages ran at build time)")

        request = urllib.request.Request(
            f"{base}/healthz/ready", headers={**headers, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                ready = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            fail(f"readiness answered {exc.code}: {exc.read().decode()[:2000]}")
        step(f"ready: {', '.join(sorted(ready))}")
        for name in ("web", "worker", "beat"):
            text = logs[name].read_text()
            json_lines = [line for line in text.splitlines() if line.startswith("{")]
            if not json_lines:
                fail(f"{name} wrote no JSON log line:\n{text[-2000:]}")
            for line in json_lines:
                record = json.loads(line)
                if not {"time", "level", "message", "request_id", "user_id"} <= set(record):
                    fail(f"{name} log line without the standard fields: {line}")
        step("web, worker and beat log JSON lines with time, level, request and user ids")

        for name in ("web", "worker", "beat"):
            if procs[name].poll() is not None:
                fail(f"{name} died:\n" + logs[name].read_text()[-3000:])
            text = logs[name].read_text()
            for bad in ("Traceback", "PermissionError", "Read-only file system"):
                if bad in text:
                    fail(f"{name} logged {bad}:\n{text[-3000:]}")
        step(f"passed in {time.monotonic() - started:.0f} s")
    finally:
        step("stopping")
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=False
        )
        step("cleaning up")
        # Only folders need their write bit back for their files to be removed.
        subprocess.run(
            ["find", str(scratch), "-type", "d", "-exec", "chmod", "u+w", "{}", "+"], check=False
        )
        subprocess.run(["rm", "-rf", str(scratch)], check=False)
        step("done")


if __name__ == "__main__":
    main()
