"""Reminder settings read at call time (so test overrides apply), with defaults."""

from django.conf import settings


def setting(name: str, default: float) -> float:
    return getattr(settings, name, default)
