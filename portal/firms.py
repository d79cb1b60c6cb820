"""The firm boundary: which firm's rows a user may reach. One rule, one place.

Every ``visible_to`` queryset, selector, admin queryset and export starts from
``firm_scope``: a platform admin reaches every firm, anyone else only rows of their own firm,
and an anonymous or inactive user (or an account without a firm) none. Finer rules (the
advisor's own cases, the applicant's own profile) narrow this further where they live.
"""

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import QuerySet

if TYPE_CHECKING:
    from portal.models import User

Q = TypeVar("Q", bound=QuerySet[Any])


def firm_scope(qs: Q, user: "User", *, path: str = "firm") -> Q:
    """Rows of ``qs`` whose firm (reached through the lookup ``path``, e.g. ``"case__firm"``;
    ``""`` when ``qs`` holds firms) is ``user``'s; every row for a platform admin; none for
    anonymous or inactive users."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_platform_admin:
        return qs
    if user.firm_id is None:
        return qs.none()
    return qs.filter(**{f"{path}_id" if path else "pk": user.firm_id})


def is_firm_member(user: "User", firm_id: int | None) -> bool:
    """True when ``user`` acts inside the firm ``firm_id``: a platform admin (every firm) or an
    active account of that firm. The predicate twin of ``firm_scope``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_platform_admin or (firm_id is not None and user.firm_id == firm_id))


def firm_advisors(user: "User") -> "QuerySet[User]":
    """Active advisors ``user`` may assign cases or tasks to: those of ``user``'s firm (every
    firm's for a platform admin)."""
    from portal.models import Role, User

    return firm_scope(User.objects.filter(role=Role.ADVISOR, is_active=True), user)
