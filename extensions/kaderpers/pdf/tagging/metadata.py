"""What a tagged PDF says about itself and its text: the XMP packet (title, author,
language, the PDF/UA identifier), and fonts whose ToUnicode map gives ligature glyphs
their letters, so text extracts as "fi", not U+FB01.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Iterator
from xml.sax.saxutils import escape

from rinoh.backend.pdf import cos
from rinoh.backend.pdf.filter import FlateDecode
from rinoh.font.opentype import OpenTypeFont


def xmp_metadata(title: str, language: str, author: str | None, subject: str | None, timestamp) -> cos.Stream:
    """The XMP packet: title, author, language and the PDF/UA-1 identifier (uncompressed, as PDF/UA asks)."""
    stamp = timestamp.astimezone().isoformat(timespec="seconds")
    creator = f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>" if author else ""
    description = f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>' if subject else ""
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   {creator}{description}
   <dc:language><rdf:Bag><rdf:li>{escape(language)}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:CreatorTool>{escape(cos.Document.PRODUCER)}</xmp:CreatorTool>
   <pdf:Producer>{escape(cos.Document.PRODUCER)}</pdf:Producer>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    stream = cos.Stream()
    stream["Type"] = cos.Name("Metadata")
    stream["Subtype"] = cos.Name("XML")
    stream.write(packet.encode("utf-8"))
    return stream


# -- ligatures -------------------------------------------------------------------------


def glyph_texts(font: OpenTypeFont) -> dict[int, str]:
    """The text of every glyph the font can show: its character, and a ligature's letters."""
    try:
        return _GLYPH_TEXTS[id(font)][1]
    except KeyError:
        pass
    texts: dict[int, str] = {}
    for code, glyph in font["cmap"][font._encoding].mapping.items():
        texts[glyph] = chr(code)  # as rinohtype does: of several characters on one glyph, the last
    for glyph, text in texts.items():
        if "\ufb00" <= text <= "\ufb4f":  # alphabetic presentation forms: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ …
            texts[glyph] = unicodedata.normalize("NFKC", text)
    pairs = list(_ligatures(font))
    for _ in range(3):  # ligatures of ligatures (ff + i), a few levels deep
        for glyph, components in pairs:
            if glyph not in texts and all(c in texts for c in components):
                texts[glyph] = "".join(texts[c] for c in components)
    _GLYPH_TEXTS[id(font)] = (font, texts)  # (not on the font: rinohtype objects compare by their attributes)
    return texts


_GLYPH_TEXTS: dict[int, tuple[OpenTypeFont, dict[int, str]]] = {}


def _ligatures(font: OpenTypeFont) -> Iterator[tuple[int, list[int]]]:
    """(ligature glyph, component glyphs) of the font's ``liga`` feature, as rinohtype applies it."""
    if "GSUB" not in font:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tables = font._get_lookup_tables("GSUB", "liga", "latn")
        except Exception:  # a font rinohtype cannot read ligatures from: it forms none either
            return
    for table in tables:
        for subtable in table["SubTable"]:
            if "LigatureSet" not in subtable:
                continue
            for first, ligature_set in zip(_coverage(subtable["Coverage"]), subtable["LigatureSet"], strict=False):
                for ligature in ligature_set["Ligature"]:
                    yield ligature["LigGlyph"], [first, *ligature["Component"]]


def _coverage(coverage) -> list[int]:
    if coverage["CoverageFormat"] == 1:
        return list(coverage["GlyphArray"])
    glyphs: list[int] = []
    for record in coverage["RangeRecord"]:
        glyphs.extend(range(record["Start"], record["End"] + 1))
    return glyphs


class ToUnicode(cos.ToUnicode):
    """rinohtype's ToUnicode CMap, with a glyph mapping to all the characters it shows."""

    def __init__(self, texts: dict[int, str], filter=None):
        cos.Stream.__init__(self, filter=filter)
        with self._begin_resource("/CIDInit /ProcSet findresource"), self._begin_resource("12 dict"), self._begin("cmap"):
            system = cos.Dictionary()
            system["Registry"] = cos.String("Adobe")
            system["Ordering"] = cos.String("UCS")
            system["Supplement"] = cos.Integer("0")
            self._def("CIDSystemInfo", system)
            self._def("CMapName", cos.Name("Adobe-Identity-UCS"))
            self._def("CMapType", cos.Integer(2))
            with self._begin("codespacerange", 1):
                self._value(0x0000)
                self._value(0xFFFF)
                self.write(b"\n")
            glyphs = sorted(g for g in texts if g <= 0xFFFF)
            for start in range(0, len(glyphs), 100):
                section = glyphs[start : start + 100]
                with self._begin("bfchar", len(section)):
                    for glyph in section:
                        self._value(glyph)
                        self._hex(texts[glyph].encode("utf-16-be"))
                        self.write(b"\n")
            self.print("CMapName currentdict /CMap defineresource pop")


def with_ligature_texts(original):
    """``Document.register_font``: fonts get a ToUnicode map that maps ligature glyphs to their letters."""

    def register_font(self, font):
        new = font not in self.fonts
        number, resource = original(self, font)
        if new and isinstance(font, OpenTypeFont) and "ToUnicode" in resource:
            resource["ToUnicode"] = ToUnicode(glyph_texts(font), filter=FlateDecode())
        return number, resource

    return register_font
