"""Dutch hyphenation for rinohtype, with the dictionaries that pyphen ships.

rinohtype bundles only an English (``en_US``) dictionary and looks for others in
the working folder. pyphen carries the LibreOffice dictionaries in the same
``.dic`` format, so rinohtype's hyphenator reads them as they are.
"""

from __future__ import annotations

import pyphen
import rinoh.paragraph
from rinoh.hyphenator import Hyphenator
from rinoh.paragraph import HyphenatorStore


class _PyphenHyphenators(HyphenatorStore):
    """rinohtype's store of hyphenators that also knows pyphen's languages."""

    def __missing__(self, key):
        language, characters = key
        path = pyphen.LANGUAGES.get(str(language)) or pyphen.LANGUAGES.get(str(language).split("_")[0])
        if path is None:
            return super().__missing__(key)
        self[key] = Hyphenator(str(path), characters, characters)
        return self[key]


def install_dutch_hyphenation() -> None:
    if not isinstance(rinoh.paragraph.HYPHENATORS, _PyphenHyphenators):
        rinoh.paragraph.HYPHENATORS = _PyphenHyphenators()
