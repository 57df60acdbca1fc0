"""Dutch hyphenation for rinohtype, with the dictionaries that pyphen ships.

rinohtype bundles only an English (``en_US``) dictionary and looks for others in
the working folder. pyphen carries the LibreOffice dictionaries in the same
``.dic`` format, so rinohtype's hyphenator reads them as they are. The store
replaces rinohtype's (``rinoh.paragraph.HYPHENATORS``) during a PDF build
(:mod:`kaderpers.pdf.compat`).
"""

from __future__ import annotations

import pyphen
from rinoh.hyphenator import Hyphenator
from rinoh.paragraph import HyphenatorStore


class PyphenHyphenators(HyphenatorStore):
    """rinohtype's store of hyphenators that also knows pyphen's languages."""

    def __missing__(self, key):
        language, characters = key
        path = pyphen.LANGUAGES.get(str(language)) or pyphen.LANGUAGES.get(str(language).split("_")[0])
        if path is None:
            return super().__missing__(key)
        self[key] = Hyphenator(str(path), characters, characters)
        return self[key]
