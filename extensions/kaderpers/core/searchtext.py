"""Dutch text analysis for the site's instant search (Sphinx-free).

* :func:`words` splits text into lower-case words without accents ("ideeën" → "ideeen"),
  the same way ``kaderpers-search.js`` splits a query.
* :func:`dutch_stem` is Snowball's Dutch stemmer plus one rule (a long vowel Snowball restores
  in an open syllable is shortened again: "maatregelen" and "maatregel" share "maatregel").
  The browser runs the same Snowball stemmer and rule (Sphinx's ``language_data.js``).
* :func:`compound_parts` splits a compound into words the kader uses elsewhere
  ("algoritmeregister" → "algoritme", "register"; "verwerkingsregister" with its linking s).
* :func:`record_codes` are the codes a reader types for a record: ``aia-12``, ``aia-012``'s
  normal form ``aia-12``, and the full ``urn:nl:ak:ver:aia-12``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import Stemmer

#: A doubled vowel in the last syllable of a stem, which Snowball's Dutch stemmer restores
#: in open syllables: "maatregelen" → "maatregeel" but "maatregel" → "maatregel".
RESTORED_LONG_VOWEL = re.compile(r"([aeou])\1([^aeiouy]*)$")
_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"^(?:urn:nl:ak:[a-z]+:)?([a-z]+)-0*(\d+)$")
#: Parts of a compound are at least this long: shorter ones ("de", "in", "aan") split too much.
MIN_PART = 4
#: Dutch links the parts of a compound with these ("verwerking-s-register", "mens-en-rechten").
LINKS = ("", "s", "en", "e")

_stemmer = Stemmer.Stemmer("dutch")


_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case without accents (as ``kaderpers-search.js`` folds a query)."""
    lower = text.lower()
    return lower if lower.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", lower))


def words(text: str) -> list[str]:
    """The words of ``text``, folded (lower case, accents off) as the index and the browser fold them."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def dutch_stem(word: str) -> str:
    """The Snowball Dutch stem of a folded word, with a restored long vowel taken back (maatregel = maatregelen)."""
    return RESTORED_LONG_VOWEL.sub(r"\1\2", _stemmer.stemWord(word))


def compound_parts(word: str, known: Callable[[str], bool]) -> tuple[str, ...]:
    """The words ``word`` is made of, each ``known`` and at least :data:`MIN_PART` letters,
    longest head first; ``()`` when it is no compound of known words."""
    if len(word) < 2 * MIN_PART:
        return ()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        if not known(tail):
            continue
        for link in LINKS:
            if link and not head.endswith(link):
                continue
            base = head[: len(head) - len(link)]
            if len(base) >= MIN_PART and known(base):
                return (base, tail)
            if len(base) >= 2 * MIN_PART and (inner := compound_parts(base, known)):
                return (*inner, tail)
    return ()


def normal_code(text: str) -> str | None:
    """``AIA-03``, ``aia-3`` and ``urn:nl:ak:ver:aia-03`` → ``aia-3``; ``None`` for other text."""
    match = _CODE.match(fold(text.strip()))
    return f"{match[1]}-{int(match[2])}" if match else None


def record_codes(values: Iterable[str]) -> list[str]:
    """The normal codes of a record's id and code, each once."""
    found: list[str] = []
    for value in values:
        code = normal_code(value)
        if code and code not in found:
            found.append(code)
    return found


#: An abbreviation in brackets after what it stands for: "Data Protection Impact Assessment (DPIA)".
_BRACKETED = re.compile(r"\(([A-Z][A-Za-z]{1,9})\)")
#: How far before the brackets the words it stands for are looked for.
_BEFORE = 160
#: Small words an abbreviation skips ("Impact Assessment Mensenrechten en Algoritmes": IAMA).
_SKIPPED = frozenset({"en", "van", "de", "het", "der", "voor", "of", "op", "in", "and", "for", "the"})


def bracketed_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations a text defines by writing them in brackets after the words they stand for,
    whose initials they are (small words such as "en" and "van" may be skipped)."""
    found: dict[str, str] = {}
    for match in _BRACKETED.finditer(text):
        before, abbreviation = text[max(0, match.start() - _BEFORE) : match.start()].split()[-12:], match[1]
        letters = abbreviation.lower()
        for start in range(len(before) - 1, -1, -1):
            candidate = before[start:]
            initials = "".join(word[0].lower() for word in candidate if word.lower() not in _SKIPPED)
            if initials == letters and candidate[0].lower() not in _SKIPPED:
                found.setdefault(abbreviation, " ".join(candidate))
                break
            if len(initials) >= len(letters):
                break
    return found
