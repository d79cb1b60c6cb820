"""Filling a canonical email column for existing rows (the data migrations of users and
applicants call this; idempotent: the same rows give the same keys on every run).

Existing duplicates (rows whose canonical forms are equal, such as ``Amy@Example.test`` and
``amy@example.test`` saved before the canonical form existed): the oldest row (lowest id) of
each group keeps the canonical key, and so the address for login, password reset and
look-ups; every later row gets the key ``<canonical>#duplicate-<id>``, which no address can
produce (``#`` cannot occur in a domain), so it stays as it is, findable by id and listed in
the ``portal.identity`` log, for an admin to merge or give another address. Nothing is
deleted or deactivated.
"""

import logging
from typing import Any

from portal.identity import email_canonical

logger = logging.getLogger("portal.identity")


def fill_canonical(model: Any, *, group_by: str | None = None) -> list[int]:
    """Set ``email_canonical`` of every row of ``model`` (a historical model), unique within
    ``group_by`` (a field name such as ``firm_id``; None: the whole table). Returns the ids
    of the later duplicates marked as described above."""
    seen: set[tuple[Any, str]] = set()
    duplicates: list[int] = []
    fields = ["pk", "email", "email_canonical"] + ([group_by] if group_by else [])
    for row in model.objects.order_by("pk").values(*fields).iterator(chunk_size=2000):
        key = email_canonical(row["email"] or "")
        group = (row[group_by] if group_by else None, key)
        if group in seen:
            key = f"{key}#duplicate-{row['pk']}"
            duplicates.append(row["pk"])
        seen.add(group)
        if row["email_canonical"] != key:
            model.objects.filter(pk=row["pk"]).update(email_canonical=key)
    if duplicates:
        logger.warning(
            "%s rows share an email with an older row (canonical form); they keep their data "
            "but not the address for login or look-ups: ids %s",
            model._meta.label,
            duplicates,
        )
    return duplicates
