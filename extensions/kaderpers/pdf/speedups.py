"""Narrow fixes to rinohtype 0.5's layout engine that make long documents cheap.

* ``Styled.get_style`` caches each style value per (attribute, container). The
  value only depends on the document, but the cache keeps every container, and
  with it every page of every layout pass, alive: 2.4 GB for the full kader, and
  a garbage collector that slows down as the heap grows. Here the cache is kept
  per attribute.
* A style lookup that falls back to the parent element (every word of a
  paragraph asks for its font, size and colour) resolves the parent's style
  again for each child; the result per element and attribute is remembered.
* ``Container.document_part`` walks up the container tree on every style or
  document lookup (millions of calls); a container never changes parents, so
  the part is remembered.
* Fonts are checked against their table checksums each time they are loaded,
  in pure Python (seconds for DejaVu, the fallback face); the font packages are
  installed files, so the check is skipped.
* A page, once placed, has copied the content of all its containers into its
  own canvas; the container tree below it (with a canvas and a list of link
  annotations per container) is then let go instead of being kept to the end.

All keep rinohtype's output identical; :func:`install` is idempotent and is
called by the ``kaderpers-pdf`` builder only.
"""

from __future__ import annotations

from rinoh.attribute import DefaultValueException
from rinoh.document import Page
from rinoh.font.opentype.parse import TableRecord
from rinoh.layout import Container
from rinoh.style import Styled, StyleSheet

_INSTALLED = False


def _get_style(self, attribute, container):
    try:
        cache = self._kaderpers_styles
    except AttributeError:
        cache = self._kaderpers_styles = {}
    try:
        return cache[attribute]
    except KeyError:
        value = cache[attribute] = self.get_config_value(attribute, container.document)
        return value


_lookup = StyleSheet._get_value_lookup
_DEFAULT = object()


def _remembered_lookup(self, styled, attribute, document):
    try:
        cache = styled._kaderpers_lookups
    except AttributeError:
        cache = styled._kaderpers_lookups = {}
    try:
        value = cache[attribute]
    except KeyError:
        try:
            value = _lookup(self, styled, attribute, document)  # recurses to the parent through this method
        except DefaultValueException:
            value = _DEFAULT
        cache[attribute] = value
    if value is _DEFAULT:
        raise DefaultValueException
    return value


def _document_part(self):
    try:
        return self._kaderpers_document_part
    except AttributeError:
        part = self._kaderpers_document_part = self.parent.document_part
        return part


_place_page = Page.place


def _place_and_release(self):
    _place_page(self)
    stack = list(self.children)
    self.children = []
    while stack:
        container = stack.pop()
        stack.extend(container.children)
        container.children = []


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    Styled.get_style = _get_style
    StyleSheet._get_value_lookup = _remembered_lookup
    TableRecord.check_sum = lambda self, file: None
    Container.document_part = property(_document_part)
    Page.place = _place_and_release
    _INSTALLED = True
