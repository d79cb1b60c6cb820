"""Free-text search of cases: one normalised text per case, the same normalisation for queries.

``Case.search_text`` holds the reference, the applicant's given and family names, email and
passport number, normalised by ``search_normalise`` (lower case, accents and other marks
removed, so "TOMÁS MÜLLER" is stored and searched as "tomas muller"). It is written by the
services that set those values (``case_open``); on PostgreSQL a ``pg_trgm`` GIN index
(migration 0015) answers ``LIKE '%term%'`` without a scan. A query matches when every word of
it occurs in the text, so given and family names match in either order.
"""

import unicodedata

# Letters that Unicode does not decompose into a base letter plus marks.
_FOLD = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)


def search_normalise(text: str) -> str:
    """``text`` lower-cased (``casefold``: "ß" becomes "ss"), without accents or other combining
    marks, runs of white space as one space. Chinese and other scripts without marks are kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(_FOLD).split())


def search_words(term: str) -> list[str]:
    """The normalised words of a search query, at most 8 (longer queries are cut)."""
    return search_normalise(term).split()[:8]


def case_search_text(
    *, reference: str, given_names: str, family_name: str, email: str, passport_number: str
) -> str:
    """The ``Case.search_text`` of a case with these values."""
    return search_normalise(" ".join((reference, given_names, family_name, email, passport_number)))
