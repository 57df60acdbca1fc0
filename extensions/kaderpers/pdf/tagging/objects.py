"""The PDF objects of a tagged PDF and the marked content around what rinohtype draws.

:class:`Element` writes a structure element straight from its node. The replacements of
rinohtype's drawing methods (installed by :mod:`kaderpers.pdf.compat`) wrap each text run
and image in marked content of its element, and rules, borders, fills and repeated table
heads in artifacts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rinoh.backend.pdf import cos
from rinoh.inline import InlineFlowableSpan

if TYPE_CHECKING:
    from .structure import Node, Tagger

#: The node of content that is not part of the structure tree (running headers, rules, fills).
ARTIFACT = "artifact"
ARTIFACT_BEGIN = b"/Artifact BMC\n"
MARKED_CONTENT_END = b"EMC\n"
#: A mark as written during layout; the number is renumbered per page in :meth:`~kaderpers.pdf.tagging.structure.Tagger.finish`.
MARK = re.compile(rb"^/(\w+) <</MCID (\d+)>> BDC$", re.M)


def pdf_name(value: str, names: dict[str, cos.Name] = {}) -> cos.Name:  # noqa: B006 - a cache
    """Names are written by value: one object each serves the whole document."""
    try:
        return names[value]
    except KeyError:
        name = names[value] = cos.Name(value)
        return name


class Element(cos.Object):
    """A structure element, written straight from its :class:`Node`.

    A ``cos.Dictionary`` per element (an ordered dict, a name object per key)
    takes about a kilobyte; tens of thousands of them showed in the peak memory.
    ``kids`` holds MCIDs on the element's page, (page, MCID) on other pages,
    elements, and (annotation, page) of a Link's annotations.
    """

    PREFIX = b"<<"
    POSTFIX = b">>"

    def __init__(self, node: Node, parent, pages: list) -> None:
        super().__init__(indirect=True)
        self.node = node
        self.parent = parent
        self.pages = pages
        self.page: int | None = None
        self.kids: list = []
        self.identifier: str | None = None

    def _repr(self) -> str:
        return self.node.type

    def register_indirect(self, document, visited=None) -> None:
        visited = set() if visited is None else visited
        if id(self) in visited:
            return
        visited.add(id(self))
        document.register(self)
        for kid in self.kids:
            if isinstance(kid, Element):
                kid.register_indirect(document, visited)

    def _bytes(self, document) -> bytes:
        node = self.node
        out = [b"/Type /StructElem /S /", node.type.encode(), b" /P ", self.parent.bytes(document)]
        if self.page is not None:
            out += [b" /Pg ", self.pages[self.page].bytes(document)]
        out.append(b" /K [")
        for kid in self.kids:
            if isinstance(kid, int):
                out.append(b"%d " % kid)
            elif isinstance(kid, Element):
                out += [kid.bytes(document), b" "]
            elif isinstance(kid[0], int):
                out += [b"<</Type /MCR /Pg ", self.pages[kid[0]].bytes(document), b" /MCID %d>> " % kid[1]]
            else:
                out += [b"<</Type /OBJR /Obj ", kid[0].bytes(document), b" /Pg ", kid[1].bytes(document), b">> "]
        out.append(b"]")
        if node.alt is not None:
            out += [b" /Alt ", cos.String(node.alt).bytes(document)]
        if node.attributes:
            out.append(b" /A <<")
            out += [b"/%s /%s " % (name.encode(), value.encode()) for name, value in node.attributes.items()]
            out.append(b">>")
        if self.identifier:
            out += [b" /ID ", cos.String(self.identifier).bytes(document)]
        return b"".join(out)


# -- the replacements, installed by kaderpers.pdf.compat ------------------------------------
# Each ``tag_*`` function makes the replacement of one rinohtype method from the
# original. A replacement does what the original does when its document has no
# tagger (an untagged build, or a document rinohtype lays out for measuring).


def _tagger(document) -> Tagger | None:
    return getattr(document, "tagger", None)


def tag_text(original):
    """``Canvas.show_glyphs``: each text run becomes marked content of its element, or an artifact."""

    def show_glyphs(self, left, cursor, span, glyphs, container):
        tagger = _tagger(container.document)
        if tagger is None or isinstance(span, InlineFlowableSpan):  # an inline image: rinohtype raises, places it, and it is marked there
            return original(self, left, cursor, span, glyphs, container)
        node = tagger.text_node(span, glyphs, container)
        if node is ARTIFACT or (tagger.repeated_heads and tagger.in_repeated_head(span.parent)):
            self.write(ARTIFACT_BEGIN)
        else:
            self.write(tagger.mark(node))
        width = original(self, left, cursor, span, glyphs, container)
        self.write(MARKED_CONTENT_END)
        return width

    return show_glyphs


def tag_image_placement(original):
    """``Canvas.place_image``: an image is marked content of its Figure, or an artifact (a logo)."""

    def place_image(self, image, left, top, document, *args, **kwargs):
        tagger = _tagger(document)
        if tagger is None:
            return original(self, image, left, top, document, *args, **kwargs)
        owner = tagger.images[-1] if tagger.images else None
        node = ARTIFACT if owner is None else tagger.element(owner, tagger._container)
        self.write(ARTIFACT_BEGIN if node is ARTIFACT else tagger.mark(node))
        size = original(self, image, left, top, document, *args, **kwargs)
        self.write(MARKED_CONTENT_END)
        return size

    return place_image


def remember_rendered_image(original):
    """``ImageBase.render``: tells :func:`tag_image_placement` which element places the image."""

    def render(self, container, *args, **kwargs):
        tagger = _tagger(container.document)
        if tagger is None:
            return original(self, container, *args, **kwargs)
        tagger.images.append(self)
        tagger._container = container
        try:
            return original(self, container, *args, **kwargs)
        finally:
            tagger.images.pop()

    return render


def remember_repeated_heads(original):
    """``Table.render``: a table continued on a further page repeats its head, which is an artifact there."""

    def render(self, container, last_descender, state, *args, **kwargs):
        tagger = _tagger(container.document)
        if tagger is None or state.initial:
            return original(self, container, last_descender, state, *args, **kwargs)
        tagger.repeated_heads.add(id(self))
        try:
            return original(self, container, last_descender, state, *args, **kwargs)
        finally:
            tagger.repeated_heads.discard(id(self))

    return render


def as_artifact(original):
    """``render`` of rules, borders and fills: drawn as artifacts, not content."""

    def render(self, container, *args, **kwargs):
        if _tagger(container.document) is None:
            return original(self, container, *args, **kwargs)
        container.canvas.write(ARTIFACT_BEGIN)
        result = original(self, container, *args, **kwargs)
        container.canvas.write(MARKED_CONTENT_END)
        return result

    return render


def remembered_object_numbers(original):  # noqa: ARG001 - replaced whole
    """rinohtype's ``cos.Document.register`` without its scan of every object number per call.

    The original takes the largest object number plus one, computing the largest
    each time; a structure tree adds tens of thousands of objects, which made
    that quadratic. The largest is remembered while nothing else changed the
    table, so the numbers are the same as rinohtype's.
    """

    def register(self, obj):
        try:
            return self._by_object_id[id(obj)]
        except KeyError:
            pass
        known = self.__dict__.get("_kaderpers_largest")
        if known is None or known[0] != len(self) or known[1] not in self or known[1] + 1 in self:
            largest = self.max_identifier
        else:
            largest = known[1]
        identifier = largest + 1
        reference = cos.Reference(self, identifier, 0)
        self._by_object_id[id(obj)] = reference
        self[identifier] = obj
        self._kaderpers_largest = (len(self), identifier)
        return reference

    return register
