"""Checks on text people type, shared by every service that stores it."""

import unicodedata

from django.utils.translation import get_language

# Characters nobody types on purpose: control characters other than line breaks and tabs
# (Unicode category Cc), lone surrogates (Cs: they cannot even be stored as UTF-8), and the
# format characters that reorder or hide text (bidirectional embeddings, overrides and isolates
# U+202A-U+202E and U+2066-U+2069, zero-width space U+200B, byte-order mark U+FEFF). Joiners
# (U+200C, U+200D) stay: some scripts and emoji need them. Source: Unicode Standard Annex #9
# (bidirectional algorithm) and the Unicode character database's general categories.
HIDDEN_FORMAT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff")


def has_invisible(value: str) -> bool:
    """True when ``value`` holds a character of the set described above."""
    return any(
        (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t") or ch in HIDDEN_FORMAT
        for ch in value
    )


def labelled(label: object, message: object) -> str:
    """``"<label>: <message>"`` in the active language: Chinese takes the full-width colon
    U+FF1A and no space (the catalogue cannot hold it: every msgstr there carries Chinese
    characters, tests/portal/test_translations.py). Used for an admin message naming the row
    it is about and an error naming its field; both parts are shown as given (translated)."""
    separator = "\uff1a" if (get_language() or "").startswith("zh") else ": "
    return f"{label}{separator}{message}"
