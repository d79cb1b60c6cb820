"""Request rate limits (settings ``DEFAULT_THROTTLE_CLASSES`` and ``DEFAULT_THROTTLE_RATES``)."""

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework import (
    throttling,
)
from rest_framework.settings import api_settings


class _SettingsRateMixin:
    """Read the rate from the current settings (DRF binds them at import) and count in the
    cache named by ``settings.API_THROTTLE_CACHE`` (shared by all workers in production)."""

    scope: str

    @property
    def cache(self) -> Any:
        return caches[getattr(settings, "API_THROTTLE_CACHE", "default")]

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Per client address (``anon`` rate)."""


class UserRateThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Per signed-in user (``user`` rate)."""
