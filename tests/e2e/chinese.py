"""The Chinese check (issue 11), shared by the browser tests: the English words a page shows
to a Chinese reader.

Not counted: text marked as another language (the switch's "English", IANA zone names), text
people typed (marked translate="no": messages, reasons, job titles), codes (<code>), e-mail
addresses, file names, case references, URLs, the shared abbreviations and product names
below, and the names a test passes (its fixture people and institutions).
"""

import re
from collections.abc import Iterable

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
ALLOWED_LATIN = frozenset(
    {
        # Formats, standards and units written the same way in Chinese
        "PDF",
        "JPEG",
        "JPG",
        "PNG",
        "HEIC",
        "CV",
        "ZIP",
        "JSON",
        "CSV",
        "UTC",
        "CST",
        "IANA",
        "MB",
        "KB",
        "GB",
        "IP",
        "ID",
        "URL",
        "STEM",
        "COVA",
        "DE",  # the ISO country code after an institution's name (Test University 3 (DE))
        # Authenticator apps named on the two-step page
        "Google",
        "Microsoft",
        "Authenticator",
        "Aegis",
        "FreeOTP",
    }
)
VISIBLE_TEXT = """(ignore) => {
  const root = document.body.cloneNode(true);
  root.querySelectorAll(
    '[lang]:not([lang^="zh"]), [translate="no"], code, script, style, .skip-link, [hidden]'
    + ignore
  )
    .forEach(el => el.remove());
  return root.innerText || root.textContent;
}"""
# Emails, file names, case references (K-2026-0001), URLs and IANA zones are codes, not words.
CODES = re.compile(
    r"\S+@\S+|\S+\.(?:pdf|jpe?g|png|heic|docx?|zip|json|csv)\b|https?://\S+"
    r"|\b[A-Z]{1,3}-\d{4}-\d+\b|\b[A-Z][a-z]+/[A-Za-z_/]+\b|\b[a-z]+(?:-[a-z]+)+\b",
    re.IGNORECASE,
)


def english_words_in(text: str, *, names: Iterable[str] = ()) -> list[str]:
    """The sorted distinct English words of plain ``text`` (an email, say), not counting codes,
    the shared abbreviations nor ``names``."""
    allowed = ALLOWED_LATIN | set(names)
    return sorted({w for w in LATIN_WORD.findall(CODES.sub(" ", text)) if w not in allowed})


def english_words(  # type: ignore[no-untyped-def]
    page, *, names: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[str]:
    """The sorted distinct English words of ``page``'s visible text (Playwright page), not
    counting what the module's docstring lists, ``names``, nor the elements matching the CSS
    selectors ``ignore`` (for a known gap, named with its reason by the caller)."""
    extra = "".join(f", {selector}" for selector in ignore)
    return english_words_in(page.evaluate(VISIBLE_TEXT, extra), names=names)
