"""Checks on text people type, shared by every service that stores it."""

import re
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


def listed(items: list[str]) -> str:
    """``items`` as one list in the active language: ``", "`` between them in English, the
    enumeration comma U+3001 (、) in Chinese (GB/T 15834-2011, "标点符号用法", 4.5: the pause
    between coordinate words). Like ``labelled``, not in the catalogue: the separator holds no
    Chinese character."""
    separator = "\u3001" if (get_language() or "").startswith("zh") else ", "
    return separator.join(items)


# Chinese text uses full-width punctuation (GB/T 15834-2011, "标点符号用法"): a half-width
# colon, comma or parenthesis touching a Chinese character is the full-width one. CJK here:
# the unified ideographs (U+3400-U+9FFF, U+F900-U+FAFF) and the CJK/full-width punctuation
# blocks (U+3000-U+303F, U+FF00-U+FFEF).
_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_FULL_WIDTH = {":": "：", ",": "，"}
HALF_WIDTH_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) ?([:,]) ?|([:,]) ?(?=[{_CJK}])")
# A pair of half-width parentheses with Chinese inside or touching either side.
_PARENTHESES = re.compile(rf"(?P<before>[{_CJK}])? ?\((?P<inside>[^()]*)\) ?(?P<after>[{_CJK}])?")
_HAS_CJK = re.compile(rf"[{_CJK}]")


def cjk_punctuation(text: str) -> str:
    """``text`` with each half-width ``:`` or ``,`` next to a Chinese character (and the one
    space beside it) replaced by its full-width form (U+FF1A, U+FF0C), and each pair of
    half-width parentheses holding or touching Chinese made full-width (U+FF08, U+FF09):
    "您的顾问: Li Wei" gets a full-width colon and loses the space; "理工科专业(ISCED-F 05)"
    gets full-width parentheses. Text without Chinese is returned unchanged. For Chinese
    strings stored before the catalogue's rule held (rule set labels, assessment explanations,
    fields of study), applied when they are shown."""
    if not _HAS_CJK.search(text):
        return text

    def pair(match: re.Match[str]) -> str:
        before, inside, after = match.group("before"), match.group("inside"), match.group("after")
        if not (before or after or _HAS_CJK.search(inside)):
            return match.group(0)
        return f"{before or ''}（{inside}）{after or ''}"

    text = _PARENTHESES.sub(pair, text)
    return HALF_WIDTH_NEAR_CJK.sub(lambda m: _FULL_WIDTH[m.group(1) or m.group(2)], text)
