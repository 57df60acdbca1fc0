"""Narrow fixes to rinohtype 0.5's layout engine that make long documents cheap.

* ``Styled.get_style`` caches each style value per (attribute, container). The
  value only depends on the document, but the cache keeps every container, and
  with it every page of every layout pass, alive: 2.4 GB for the full kader, and
  a garbage collector that slows down as the heap grows. Here the cache is kept
  per attribute.
* Style values are moreover shared between elements that the style sheet cannot
  tell apart (:func:`_signature`): same type and style, the same outcome for
  every attribute test of a selector that could apply to them, and parents
  alike in the same way. Only the first element of each kind goes through
  rinohtype's selector matching; the words of a table cell, its borders and
  its rows are new elements each time a table is laid out, and were matched
  from scratch.
  An element's attribute tests are asked once per attribute name (a table
  cell border has sixteen ``has_class`` tests).
* A style lookup that falls back to the parent element (every word of a
  paragraph asks for its font, size and colour) resolves the parent's style
  again for each child; the result per element and attribute is remembered.
* ``Container.document_part`` walks up the container tree on every style or
  document lookup (millions of calls); a container never changes parents, so
  the part is remembered.
* ``Typeface.get_font`` looks for the font closest to a weight, slant and
  width by sorting the candidates, for every piece of text measured; the
  answer per typeface and style is remembered (a fallback is warned about
  once, as Python's warnings filter did already).
* A text element's font, size, ascender and descender come from its style
  alone, yet were worked out again for every word, line and glyph run (half a
  million times in a 185-page handout); they are remembered per element.
* ``create_lig_kern`` made new measuring functions for every span, twice, and
  looked up every character's metrics, ligatures and kerning pairs again for
  every word. The functions are now shared per font, size and glyph options,
  with the metrics per character and the glyphs per word remembered (new
  ``Glyph`` objects each time: justification widens spaces in place); a span
  whose characters are all known to be in its font skips the character-by-
  character search for missing glyphs.
* Fonts are checked against their table checksums each time they are loaded,
  in pure Python (seconds for DejaVu, the fallback face); the font packages are
  installed files, so the check is skipped.
* A page, once placed, has copied the content of all its containers into its
  own canvas; the container tree below it (with a canvas and a list of link
  annotations per container) is then let go instead of being kept to the end.
* :func:`with_roomy_stack` runs the layout where Python's frame stack has room
  (see there): without it, the kernel mapped and unmapped memory three million
  times in a layout of the full kader.
* :func:`rarer_full_collections` lets the garbage collector scan the whole heap
  a tenth as often during layout (a quarter of the layout time went there).

The replacements of rinohtype's methods are installed, version-checked and
undone by :mod:`kaderpers.pdf.compat`; all keep rinohtype's output identical
(``tests/test_pdf_compat.py`` compares PDFs made with and without them).
"""

from __future__ import annotations

import gc
import types
from collections.abc import Iterator
from contextlib import contextmanager
from operator import attrgetter

import rinoh.paragraph
from rinoh.attribute import DefaultValueException
from rinoh.font.style import FontSlant, FontWeight, FontWidth
from rinoh.inline import InlineFlowable
from rinoh.paragraph import Glyph
from rinoh.style import (
    ClassSelector,
    ContextSelector,
    EllipsisSelector,
    SelectorByName,
    SelectorWithPriority,
    StyledMeta,
)
from rinoh.text import SingleStyledText


def get_style(self, attribute, container):
    """``Styled.get_style``, cached per attribute, in one cache for all elements alike."""
    try:
        return self._kaderpers_styles[attribute]
    except (AttributeError, KeyError):
        pass
    document = container.document
    try:
        styles = self._kaderpers_styles
    except AttributeError:
        styles = self._kaderpers_styles = _styles_alike(self, document)
    try:
        return styles[attribute]
    except KeyError:
        value = styles[attribute] = self.get_config_value(attribute, document)
        return value


def _styles_alike(styled, document) -> dict:
    """The style values of ``styled`` by attribute: shared by all elements of its signature."""
    signature = _signature(styled, document)
    if signature is None:
        return {}
    shared = _SharedStyles.of(document).values
    try:
        return shared[signature]
    except KeyError:
        styles = shared[signature] = {}
        return styles


class _SharedStyles:
    """Per document: the signatures of elements and the style values per signature."""

    def __init__(self, document):
        self.tests = _attribute_tests(document.stylesheet)
        self.tests_by_type: dict[type, tuple] = {}
        self.signatures: dict[tuple, int] = {}
        #: The style values by attribute, per signature.
        self.values: dict[int, dict] = {}
        self.styles: list = []  # style objects a signature names by identity stay alive

    @classmethod
    def of(cls, document) -> _SharedStyles:
        try:
            return document._kaderpers_shared_styles
        except AttributeError:
            shared = document._kaderpers_shared_styles = cls(document)
            return shared

    def tests_for(self, kind: type) -> tuple:
        try:
            return self.tests_by_type[kind]
        except KeyError:
            tests = tuple((name, value) for cls, name, value in self.tests if issubclass(kind, cls))
            self.tests_by_type[kind] = tests
            return tests


_NOT_YET = object()


def _signature(styled, document):
    """A number shared by the elements that the style sheet's selectors cannot tell apart, or None.

    A selector looks at an element's type, its style name and attribute tests
    (``attribute != value``, as ``ClassSelectorBase.match`` does), and through
    context selectors at the same of the element's parents. The signature is
    taken when an element is first styled, as rinohtype's own match cache does.
    """
    signature = getattr(styled, "_kaderpers_signature", _NOT_YET)
    if signature is not _NOT_YET:
        return signature
    shared = _SharedStyles.of(document)
    if shared.tests is None:
        return None
    parent = styled.parent
    parent_signature = -1 if parent is None else _signature(parent, document)
    signature = None
    if parent_signature is not None:
        style = getattr(styled, "style", None)
        if style is not None and not isinstance(style, str):
            shared.styles.append(style)
            style = id(style)
        outcomes = []
        actuals: dict[str, object] = {}  # each attribute asked once (a cell border has 16 class tests)
        try:
            for name, value in shared.tests_for(type(styled)):
                try:
                    actual = actuals[name]
                except KeyError:
                    actual = actuals[name] = _tested_attribute(styled, name, document)
                outcomes.append(None if actual is _ABSENT else actual != value)
        except (AttributeError, LookupError, TypeError, ValueError):
            # A test rinohtype itself may never run on this element (its type or style rules the
            # selector out first) can fail on it, e.g. a level asked of a section not yet placed
            # in the tree: this element is then styled on its own, by rinohtype's own matching.
            outcomes = None
        if outcomes is not None:
            key = (type(styled), style, tuple(outcomes), parent_signature)
            signature = shared.signatures.setdefault(key, len(shared.signatures))
    try:
        styled._kaderpers_signature = signature
    except AttributeError:  # a parent that takes no attributes: worked out again next time
        pass
    return signature


_ABSENT = object()


def _tested_attribute(styled, name: str, document):
    """What an attribute test compares, as ``ClassSelectorBase.match`` gets it (_ABSENT when the
    element has no such attribute)."""
    if not hasattr(styled, name):
        return _ABSENT
    actual = getattr(styled, name)
    return actual(document) if callable(actual) else actual


def _attribute_tests(stylesheet) -> list[tuple[type, str, object]] | None:
    """(class, attribute, value) of every attribute test in the style sheet and its bases.

    None when a selector is of a kind not known here; no element is shared then.
    """
    chain = []
    sheet = stylesheet
    while sheet is not None:
        chain.append(sheet)
        sheet = sheet.base
    tests: list[tuple[type, str, object]] = []
    seen: set[int] = set()

    def visit(selector) -> bool:
        if id(selector) in seen:
            return True
        seen.add(id(selector))
        if isinstance(selector, StyledMeta):
            return True
        if isinstance(selector, ClassSelector):
            tests.extend((selector.cls, name, value) for name, value in selector.attributes.items())
            return True
        if isinstance(selector, ContextSelector):
            return all(visit(child) for child in selector.selectors)
        if isinstance(selector, SelectorWithPriority):
            return visit(selector.selector)
        if isinstance(selector, SelectorByName):  # any sheet of the chain may resolve the name
            return all(visit(sheet.matcher.by_name[selector.name]) for sheet in chain if selector.name in sheet.matcher.by_name)
        return isinstance(selector, EllipsisSelector)

    for sheet in chain:
        if not all(visit(selector) for selector in sheet.matcher.by_name.values()):
            return None
    return tests


_DEFAULT = object()


def remembered_lookup(lookup):
    """``StyleSheet._get_value_lookup`` that remembers its answer per element and attribute."""

    def remembered(self, styled, attribute, document):
        try:
            cache = styled._kaderpers_lookups
        except AttributeError:
            cache = styled._kaderpers_lookups = {}
        try:
            value = cache[attribute]
        except KeyError:
            try:
                value = lookup(self, styled, attribute, document)  # recurses to the parent through this method
            except DefaultValueException:
                value = _DEFAULT
            cache[attribute] = value
        if value is _DEFAULT:
            raise DefaultValueException
        return value

    return remembered


def remembered_property(name: str, compute):
    """A property that works its value out once per object with ``compute(self)`` and then keeps it:
    a container never changes parents, so what it finds by walking up stays true."""
    slot = f"_kaderpers_{name}"

    def get(self):
        try:
            return self.__dict__[slot]
        except KeyError:
            value = self.__dict__[slot] = compute(self)
            return value

    return property(get, doc=f"``{name}``, remembered")


#: ``Container.document_part``, ``.document`` and ``.page`` walked up the container tree on every call.
document_part = remembered_property("document_part", attrgetter("parent.document_part"))
container_document = remembered_property("document", attrgetter("document_part.document"))
container_page = remembered_property("page", attrgetter("parent.page"))


def remembered_font(get_font):
    """``Typeface.get_font`` that remembers the font per weight, slant and width."""

    def remembered(self, weight=FontWeight.REGULAR, slant=FontSlant.UPRIGHT, width=FontWidth.NORMAL):
        try:
            fonts = self._kaderpers_fonts
        except AttributeError:
            fonts = self._kaderpers_fonts = {}
        key = (weight, slant, width)
        try:
            return fonts[key]
        except KeyError:
            font = fonts[key] = get_font(self, weight=weight, slant=slant, width=width)
            return font

    return remembered


def remembered_per_element(method):
    """A text element's method whose answer only depends on the element's own style values
    (its font, its size after super/subscript, its ascender and descender), computed once
    per element; rinohtype asks for each on every word, line and glyph run of the element."""
    slot = f"_kaderpers_{method.__name__}"

    def remembered(self, container):
        try:
            return self.__dict__[slot]
        except KeyError:
            value = self.__dict__[slot] = method(self, container)
            return value

    remembered.__name__ = method.__name__
    remembered.__doc__ = method.__doc__
    return remembered


#: Characters ``handle_missing_glyphs`` does not look up in the font.
_NOT_LOOKED_UP = frozenset("\n\t\N{ZERO WIDTH SPACE}\N{NO-BREAK SPACE}")


class _GlyphSetting:
    """What ``create_lig_kern`` makes for one font, size and set of glyph options, remembering
    the metrics per character and the glyphs (metrics, width, text) per word."""

    def __init__(self, get_glyph_metrics, lig_kern):
        self.metrics: dict[str, object] = {}
        #: The characters known to be in the font, and those never looked up.
        self.present: set[str] = set(_NOT_LOOKED_UP)
        self.words: dict[str, tuple] = {}
        self.get_glyph_metrics_uncached = get_glyph_metrics
        self.lig_kern_uncached = lig_kern

    def get_glyph_metrics(self, char):
        try:
            return self.metrics[char]
        except KeyError:
            # a character not in the font raises (with rinohtype's warning) each time, as before
            metrics = self.metrics[char] = self.get_glyph_metrics_uncached(char)
            self.present.add(char)
            return metrics

    def lig_kern(self, chars, glyph_metrics=None):
        try:
            word = self.words[chars]
        except KeyError:
            glyphs = self.lig_kern_uncached(chars, glyph_metrics)
            self.words[chars] = tuple((glyph.metrics, glyph.width, glyph.char) for glyph in glyphs)
            return glyphs
        # new Glyph objects each time: a line widens its spaces (and tabs) in place
        return [Glyph(metrics, width, char) for metrics, width, char in word]


def remembered_glyphs(create_lig_kern):
    """``rinoh.paragraph.create_lig_kern`` that shares its functions between the spans of one
    font, size and glyph options, and remembers their answers.

    rinohtype made new ones for every span (twice: to find missing glyphs, then to set
    words) and looked up each character's metrics, ligatures and kerning pairs again for
    every word; the words of a document repeat. The glyphs of a word are the same
    measurements as before, new objects each time.
    """

    def create(span, flowable_target):
        try:
            setting = span.__dict__["_kaderpers_glyph_setting"]
        except KeyError:
            setting = span.__dict__["_kaderpers_glyph_setting"] = setting_of(span, flowable_target)
        return setting.get_glyph_metrics, setting.lig_kern

    def setting_of(span, flowable_target):
        font = span.font(flowable_target)
        key = (
            font,
            span.height(flowable_target) / font.units_per_em,
            span.get_style("font_variant", flowable_target),
            span.get_style("kerning", flowable_target),
            span.get_style("ligatures", flowable_target),
            float(span.get_style("character_spacing", flowable_target)),
        )
        document = flowable_target.document
        try:
            settings = document._kaderpers_glyph_settings
        except AttributeError:
            settings = document._kaderpers_glyph_settings = {}
        try:
            return settings[key]
        except KeyError:
            setting = settings[key] = _GlyphSetting(*create_lig_kern(span, flowable_target))
            return setting

    return create


def quick_missing_glyphs(handle_missing_glyphs):
    """``rinoh.paragraph.handle_missing_glyphs`` that passes a span on at once when every
    character of its text is known to be in its font (or is one rinohtype does not look up),
    instead of looking up its characters one by one again; other spans go the old way."""

    def handle(span, container):
        # only plain text: an inline flowable (an image) has no text, other kinds work out theirs
        if not isinstance(span, InlineFlowable) and getattr(type(span), "text", None) is SingleStyledText.text:
            get_glyph_metrics, _ = rinoh.paragraph.create_lig_kern(span, container)
            setting = getattr(get_glyph_metrics, "__self__", None)
            if isinstance(setting, _GlyphSetting) and setting.present.issuperset(span.text(container)):
                yield span
                return
        yield from handle_missing_glyphs(span, container)

    return handle


def placing_upwards(before_placing):
    """``Styled.before_placing`` as a loop: it hands the call to the parent, up to the first
    element that does something before it is placed (a footnote reference, an inline
    flowable); every glyph run of every line went up the whole element tree call by call."""

    def upwards(self, container, preallocate=False):
        element = self
        while True:
            parent = element.parent
            if not parent:
                return
            if type(parent).before_placing is not upwards:
                parent.before_placing(container, preallocate)
                return
            element = parent

    return upwards


def remembered_options(getattr_):
    """``OptionSetMeta.__getattr__`` (``TextPosition.NORMAL`` and the like, asked for every
    word) that remembers the value per option set and name."""
    known: dict[tuple, object] = {}

    def remembered(cls, item):
        try:
            return known[cls, item]
        except KeyError:
            value = known[cls, item] = getattr_(cls, item)  # an unknown name raises, and is not remembered
            return value

    return remembered


def skip_check_sum(self, file):
    """``TableRecord.check_sum`` skipped: the fonts are installed package files."""


def place_and_release(place):
    """``Page.place``, after which the page's container tree is let go."""

    def place_and_release(self):
        place(self)
        stack = list(self.children)
        self.children = []
        while stack:
            container = stack.pop()
            stack.extend(container.children)
            container.children = []

    return place_and_release


def _call(function, arguments):
    return function(*arguments)


#: Stack slots (8 bytes each) that the frame of :func:`with_roomy_stack` reserves beyond its need.
STACK_ROOM = 150_000
_roomy_call = types.FunctionType(_call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + STACK_ROOM), _call.__globals__)


def with_roomy_stack(function, *arguments):
    """``function(*arguments)`` called with ample room on Python's frame stack.

    CPython 3.11+ keeps a thread's frames in chunks of 16 KiB, mapped from the
    kernel when a call does not fit in the current chunk and unmapped again
    when that call returns. rinohtype's layout recurses deeply and up and down
    around such a boundary, paying two system calls and a page fault each
    time. The frame of this call asks for a stack of about 1.2 MB (never
    touched), so its chunk is 2 MiB and the layout's frames fit in the rest.
    """
    return _roomy_call(function, arguments)


@contextmanager
def rarer_full_collections(factor: int = 10) -> Iterator[None]:
    """Collect the oldest generation ``factor`` times less often in the body.

    Layout makes many objects that live long enough to reach the oldest
    generation and then die; each full collection scans every object of the
    growing document (40 of them, 11 s, for the full kader). Collecting never
    would double the peak memory, as layout does leave garbage cycles; a tenth
    as often keeps the peak as it was.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], thresholds[2] * factor)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
