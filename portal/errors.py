"""Domain errors. Views and the API map them once: conflict 409, not allowed 403, invalid 400."""


class PortalError(Exception):
    """Base class of every error a service raises on purpose.

    ``code`` is a stable machine-readable string; ``message`` is a sentence a person can act on.
    """

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(PortalError):
    """The input was understood but is not acceptable (a bad upload, a missing reason)."""

    code = "invalid"
    status = 400


class NotAllowed(PortalError):
    """The actor may see the object but may not perform this action on it."""

    code = "not_allowed"
    status = 403


class TransitionNotAllowed(PortalError):
    """The requested stage change is not in the transition map, or a guard refuses it."""

    code = "transition_not_allowed"
    status = 409


class StaleObject(PortalError):
    """Someone else changed the object between reading and writing it."""

    code = "stale"
    status = 409


class RateLimited(PortalError):
    """Too many of one action in a time window; ``details["retry_at"]`` is when (UTC, ISO
    8601) it may be tried again."""

    code = "rate_limited"
    status = 429
