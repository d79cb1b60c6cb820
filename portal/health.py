"""Readiness (django-health-check) and the Prometheus metrics endpoint.

``/healthz`` (portal.views.healthz) is liveness: the process answers, nothing else is asked, so
a database outage does not make an orchestrator restart every web container. ``/healthz/ready``
is readiness: the database, the default cache, Redis, the documents' storage (a file written,
read and deleted) and, with a real broker, a Celery worker answering a ping. It answers 200 when
all pass and 503 naming the failing check otherwise (JSON with ``Accept: application/json``).
The proxy keeps it internal.

``/internal/metrics`` is django-prometheus's export, only for a request that carries
``Authorization: Bearer <PORTAL_METRICS_TOKEN>``; every other request (and every request when no
token is configured) gets 404, as if the path did not exist.
"""

import datetime as dt
import hmac
import logging
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from health_check.views import HealthCheckView

logger = logging.getLogger(__name__)


def readiness_checks() -> list[Any]:
    """The checks of ``/healthz/ready`` for the running configuration (read per request)."""
    checks: list[Any] = [
        "health_check.checks.Database",
        ("health_check.checks.Cache", {"alias": "default"}),
        ("health_check.checks.Storage", {"alias": "private"}),
    ]
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        from health_check.contrib.redis import Redis
        from redis.asyncio import Redis as RedisClient

        checks.append((Redis, {"client_factory": lambda: RedisClient.from_url(redis_url)}))
    if settings.PORTAL_READINESS_CELERY and not settings.CELERY_BROKER_URL.startswith(
        "filesystem://"
    ):
        # The file-system broker of the local run has no broadcast, so no ping.
        checks.append(("health_check.contrib.celery.Ping", {"timeout": dt.timedelta(seconds=2)}))
    return checks


class ReadinessView(HealthCheckView):
    """django-health-check's view with the checks of ``readiness_checks()``; a failure answers
    503 and logs one warning naming the failing checks (not an "Internal Server Error", which
    would mail the admins at every probe)."""

    def get_checks(self) -> Any:
        self.checks = readiness_checks()
        return super().get_checks()

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
            failing = [repr(r.check) for r in self.results if r.error]
            logger.warning("Not ready: %s", ", ".join(failing))
            response._has_been_logged = True  # Django would log it again as a server error
        return response


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for a scraper holding ``PORTAL_METRICS_TOKEN``; 404 for anyone else."""
    token = settings.PORTAL_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
