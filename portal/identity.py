"""One canonical form of an email address: the only place that decides when two addresses are
the same person's, and which addresses are refused because they look like another one.

Three forms of an address:

- **typed**: what a person entered.
- **stored** (``email_normalize``): what the database keeps and mail is sent to. Surrounding
  white space and default-ignorable characters (zero-width space and joiners, soft hyphen,
  BOM, variation selectors: Unicode's ``Default_Ignorable_Code_Point``) removed; Unicode NFKC
  (full-width letters, the full-width ``＠`` and ``．`` become ASCII); the ideographic full stops
  ``。`` and ``｡`` separate domain labels (UTS #46, section 4); the domain mapped by UTS #46
  (lower case, Unicode labels). The local part keeps its letters' case.
- **canonical** (``email_canonical``): the comparison key in the ``email_canonical`` columns of
  users and applicants (unique). The stored form with the local part case-folded
  (``NFKC(casefold(local))``, Unicode's NFKC_Casefold in practice) and the domain in IDNA
  A-labels (``xn--...``). ``Amy@Example.test``, ``ＡＭＹ＠ｅｘａｍｐｌｅ．ｔｅｓｔ`` and
  ``a\u200bmy@example.test`` share one key.

``email_check`` refuses, with a message a person can act on, an address that is not one
(IDNA-invalid domain) or that mixes alphabets or reads as another address: a label or local
part mixing scripts (UTS #39 section 5.2 "highly restrictive": one script, or Han with
Hiragana/Katakana, Bopomofo or Hangul), or one whose letters all have plain-ASCII look-alikes
(``раураӏ.com`` in Cyrillic reads as ``paypal.com``). Look-alikes come from Unicode's
confusables data as packaged by ``confusable-homoglyphs``.
"""

# ruff: noqa: RUF002  (the examples are look-alike characters on purpose)

import unicodedata
from functools import lru_cache
from typing import Any

import idna
from confusable_homoglyphs import categories, confusables
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

# The longest address accepted, in characters (RFC 5321's 254-character path limit less <>).
EMAIL_MAX_CHARS = 254
# Room for the canonical key: a 64-octet local part case-folded (folding at most triples a
# character) plus "@" and a 253-octet A-label domain.
CANONICAL_MAX_CHARS = 450

# Unicode 15.1 DerivedCoreProperties.txt, Default_Ignorable_Code_Point (inclusive ranges).
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_IGNORABLE_TABLE = {code: None for start, end in _IGNORABLE for code in range(start, end + 1)}
# Label separators of UTS #46 section 4 besides ".", after NFKC (which maps U+FF0E and U+FF61).
_DOTS = str.maketrans({"\u3002": "."})

# Script combinations UTS #39 "highly restrictive" allows within one label.
_ALLOWED_MIXES = (
    frozenset({"HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"HAN", "BOPOMOFO"}),
    frozenset({"HAN", "HANGUL"}),
)
_NO_SCRIPT = frozenset({"COMMON", "INHERITED"})


def _split(value: str) -> tuple[str, str]:
    local, at, domain = value.rpartition("@")
    return (local, domain) if at else (value, "")


def _prepare(value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value or "").strip().translate(_IGNORABLE_TABLE))
    return text.translate(_DOTS).strip()


def _domain_unicode(domain: str) -> str:
    """The domain mapped by UTS #46 (lower case, Unicode labels); lower-cased as is when the
    mapping refuses it (``email_check`` says why)."""
    if domain.isascii():
        return domain.lower()
    try:
        return str(idna.uts46_remap(domain, std3_rules=False, transitional=False))
    except idna.IDNAError:
        return domain.lower()


def _domain_ascii(domain: str) -> str:
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return domain


def email_normalize(value: str) -> str:
    """The stored form of ``value`` (see the module docstring). Never raises: an address that
    cannot be an address comes back normalised as far as possible for ``email_check``."""
    local, domain = _split(_prepare(value))
    if not domain:
        return local
    return f"{local}@{_domain_unicode(domain)}"


def email_canonical(value: str) -> str:
    """The comparison key of ``value``: the stored form with the local part NFKC-case-folded
    and the domain in IDNA A-labels. Never raises; equal keys mean one person's address."""
    local, domain = _split(email_normalize(value))
    local = unicodedata.normalize("NFKC", local.casefold())
    if not domain:
        return local
    return f"{local}@{_domain_ascii(domain)}"


@lru_cache(maxsize=4096)
def _ascii_look_alike(char: str) -> str | None:
    """The plain-ASCII character ``char`` can be mistaken for, if any (Unicode confusables)."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[])
    for entry in found or ():
        for glyph in entry["homoglyphs"]:
            if glyph["c"].isascii() and glyph["c"].isprintable():
                return str(glyph["c"])
    return None


def _scripts(text: str) -> set[str]:
    return {categories.alias(c) for c in text if c.isalpha()} - _NO_SCRIPT


def _mixes_scripts(text: str) -> bool:
    scripts = _scripts(text)
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in _ALLOWED_MIXES)


def _reads_as_ascii(text: str) -> str | None:
    """The ASCII text that non-ASCII ``text`` reads as, when every character has a look-alike."""
    if text.isascii():
        return None
    shown = [_ascii_look_alike(c) for c in text]
    if any(c is None for c in shown):
        return None
    return "".join(c for c in shown if c is not None)


def email_check(value: str) -> None:
    """Raise ``ValidationError`` (code ``email_lookalike`` or ``email_domain``) when the
    address ``value`` (any form) has a domain IDNA refuses, mixes alphabets in its local part
    or a domain label, or reads as a plain-ASCII address in another alphabet. Says nothing
    about whether an account has the address."""
    stored = email_normalize(value)
    local, domain = _split(stored)
    if len(stored) > EMAIL_MAX_CHARS or len(email_canonical(stored)) > CANONICAL_MAX_CHARS:
        raise ValidationError(
            _("An email address has at most %(n)s characters."),
            code="email_length",
            params={"n": EMAIL_MAX_CHARS},
        )
    if not domain:
        return  # Django's EmailValidator says what is missing.
    if not domain.isascii():
        try:
            idna.encode(domain, uts46=True, transitional=False)
        except (idna.IDNAError, UnicodeError):
            raise ValidationError(
                _(
                    "The part after @ (%(domain)s) is not a domain name that mail can be sent "
                    "to. Check the address with its owner."
                ),
                code="email_domain",
                params={"domain": domain},
            ) from None
    for part in (local, *domain.split(".")):
        if _mixes_scripts(part):
            raise ValidationError(
                _(
                    "This address mixes letters of different alphabets (%(part)s), as addresses "
                    "made to look like another one do. Type it again in one alphabet."
                ),
                code="email_lookalike",
                params={"part": part},
            )
    for part in (local, domain):
        lookalike = _reads_as_ascii(part)
        if lookalike is not None:
            raise ValidationError(
                _(
                    "This address is written in letters of another alphabet that look like "
                    "%(lookalike)s. Check the address with its owner and type it in plain "
                    "letters."
                ),
                code="email_lookalike",
                params={"lookalike": lookalike},
            )


def email_clean(value: str) -> str:
    """The stored form of ``value`` after every check: ``email_check`` and Django's
    ``validate_email`` (on the stored form, so full-width input passes). Raises
    ``ValidationError`` with the message to show."""
    stored = email_normalize(value)
    email_check(stored)
    validate_email(stored)
    return stored


def validate_email_identity(value: str) -> None:
    """Model and form field validator: ``email_check``."""
    email_check(value)


class CanonicalEmailField(models.CharField):
    """A column holding ``email_canonical`` of the model's ``source`` field (default
    ``email``), derived whenever a row is written, ``bulk_create`` included (like
    ``auto_now``, through ``pre_save``). Not editable; the models put a unique constraint on it.
    """

    def __init__(self, *args: Any, source: str = "email", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", CANONICAL_MAX_CHARS)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.source != "email":
            kwargs["source"] = self.source
        if kwargs.get("max_length") == CANONICAL_MAX_CHARS:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = email_canonical(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
