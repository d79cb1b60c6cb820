"""Request rate limits (settings ``DEFAULT_THROTTLE_CLASSES`` and ``DEFAULT_THROTTLE_RATES``)."""

from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling
from rest_framework.settings import api_settings


class _SettingsRateMixin(throttling.SimpleRateThrottle):
    """Read the rate from the current settings (DRF binds them at import) and count in the
    cache named by ``settings.API_THROTTLE_CACHE`` (shared by all workers in production)."""

    def __init__(self) -> None:
        # DRF makes new throttles for every request, so a changed setting applies at once.
        self.cache = caches[getattr(settings, "API_THROTTLE_CACHE", "default")]
        super().__init__()

    def get_rate(self) -> str | None:
        if self.scope is None:
            return None
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        # The stubs type rates as numbers; DRF's rates are strings such as "60/minute".
        return None if rate is None else str(rate)


class AnonRateThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Per client address (``anon`` rate)."""


class UserRateThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Per signed-in user (``user`` rate)."""
