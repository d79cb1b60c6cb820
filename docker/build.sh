#!/bin/sh
# The image's build steps, in one place: the Dockerfile runs them, and .ci/run runs the same
# script as a non-root user on a copy of the tree (no Docker engine in CI).
#   docker/build.sh deps VENV LOCKFILE   a virtual environment with exactly the locked packages
#   docker/build.sh app                  compile translations, collect static files, byte-compile
# (run `app` in the application folder with the environment's bin/ first on PATH)
set -eu

case "${1:-}" in
deps)
  python3 -m venv "$2"
  # --require-hashes: every package, dependencies included, is pinned with its hashes in the
  # lock file; --no-deps: nothing outside the lock can sneak in.
  "$2/bin/python" -m pip install --quiet --require-hashes --no-deps -r "$3"
  "$2/bin/python" -m pip check
  ;;
app)
  # Build-time settings only: nothing connects to a database, Redis or a bucket here.
  export DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY="build-time-only-key-never-used-at-run-time-$(date +%s)-xxxxxxxxxxxxxxxx" \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    REDIS_URL=redis://build.invalid:6379/0 \
    PORTAL_VAR_DIR="${TMPDIR:-/tmp}/portal-build-var"
  python manage.py compilemessages --ignore=.venv --ignore=var
  python manage.py collectstatic --noinput --verbosity 0
  # collectstatic saves with FILE_UPLOAD_PERMISSIONS (0600, meant for private uploads); the
  # app's user, which does not own the image's files, must be able to read static files.
  chmod -R a+rX staticfiles locale
  python -m compileall -q manage.py portal cases eligibility
  ;;
*)
  echo "usage: docker/build.sh deps VENV LOCKFILE | app" >&2
  exit 2
  ;;
esac
