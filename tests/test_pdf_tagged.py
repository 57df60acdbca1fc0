"""The PDFs are tagged (PDF/UA-1): checked with pikepdf, poppler and the ``pdfua`` checker.

The real tree's edition and one handout come from the shared ``upstream_pdfs``
build (conftest); nothing here builds a PDF of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import pdf_text
from conftest import comparable
from pdf_tags import (
    bookmarks,
    content_scan,
    element_pages,
    element_text,
    heading_levels,
    link_annotations,
    marked_texts,
    parent_tree,
    struct_text,
    structure_of,
)
from pdfua_walk import linear_walk

pikepdf = pytest.importorskip("pikepdf")
pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.pdf
upstream = pytest.mark.upstream

LIGATURES = re.compile("[\ufb00-\ufb06]")


@pytest.fixture(scope="session")
def tagged_pdfs(upstream_pdfs: Path) -> dict[str, Path]:
    """The edition and the largest handout that was built (a role handout: the shared build makes no phase handouts)."""
    handouts = sorted((upstream_pdfs / "handouts").rglob("*.pdf"), key=lambda path: -path.stat().st_size)
    assert handouts, "no handouts were written"
    return {"edition": upstream_pdfs / "algoritmekader.pdf", "handout": handouts[0]}


def page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


@pytest.fixture(scope="session", params=["edition", "handout"])
def tagged(request, tagged_pdfs: dict[str, Path]):
    path = tagged_pdfs[request.param]
    pdf = pikepdf.open(path)
    yield path, pdf, structure_of(path)
    pdf.close()


@upstream
def test_every_text_and_image_sits_in_marked_content_tied_to_the_tree(tagged) -> None:
    path, pdf, tree = tagged
    assert tree is not None and tree.type == "Document", f"{path.name} has no structure tree"
    scan = content_scan(path)
    assert not scan.unmarked, f"{path.name}: content outside marked content: {scan.unmarked[:5]}"
    in_content = scan.marked_ids
    in_tree = {(kid[1], kid[2]) for element in tree.walk() for kid in element.kids if isinstance(kid, tuple) and kid[0] == "mcid"}
    assert in_content and in_content == in_tree
    # the parent tree leads from each MCID back to the element holding it
    numbers = parent_tree(pdf)
    for index, page in enumerate(pdf.pages):
        if "/StructParents" in page:
            assert len(numbers[int(page.StructParents)]) == len([1 for p, _ in in_content if p == index])
    kinds = Counter(element.type for element in tree.walk())
    for kind in ("Part", "Sect", "H1", "H2", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "Link", "TOC", "TOCI"):
        assert kinds[kind], f"{path.name} has no {kind} element"
    assert pdf.Root.MarkInfo.Marked is True


@upstream
def test_headings_follow_the_document_without_skipping_a_level(tagged) -> None:
    _, _, tree = tagged
    levels = heading_levels(tree)
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), "a heading level is skipped"


@upstream
def test_tables_have_header_cells_figures_alt_text_and_links_their_element(tagged) -> None:
    path, pdf, tree = tagged
    tables = [e for e in tree.walk() if e.type == "Table"]
    assert tables and all(any(cell.type == "TH" and cell.attributes.get("/Scope") for cell in table.walk()) for table in tables)
    for table in tables:  # an empty cell is a cell too: every row has all of its table's columns
        cells = {sum(1 for kid in row.kids if getattr(kid, "type", None) in ("TH", "TD")) for row in table.walk() if row.type == "TR"}
        assert len(cells) == 1, f"{path.name}: a table's rows have {sorted(cells)} cells"
    assert all(figure.alt for figure in tree.walk() if figure.type == "Figure")
    objects = {kid[1] for link in tree.walk() if link.type == "Link" for kid in link.kids if isinstance(kid, tuple) and kid[0] == "objr"}
    numbers = parent_tree(pdf)
    annotations = list(link_annotations(pdf))
    assert annotations
    for annotation in annotations:
        assert "/StructParent" in annotation and str(annotation.get("/Contents", "")).strip()
        assert numbers[int(annotation.StructParent)].S == "/Link" and annotation.objgen in objects


#: The running header sits in the top 5% of an A4 page, the page number in the bottom 5%; the text
#: of the pages stays between them.
MARGIN = 0.05


@upstream
def test_running_headers_and_page_numbers_are_artifacts(tagged) -> None:
    """What a page repeats (the kader's name above, the page number below) is an artifact, not a paragraph.

    The positions and tags of the text come from the content streams (:func:`pdf_tags.content_scan`),
    what the margins say from poppler, which places the text on its own."""
    path, pdf, _ = tagged
    width, height = float(pdf.pages[0].mediabox[2]), float(pdf.pages[0].mediabox[3])
    runs = content_scan(path).runs
    # Within the page: the text of a drawing placed as a form XObject lies where the drawing is placed.
    header = [run for run in runs if (1 - MARGIN) * height < run.height <= height]
    footer = [run for run in runs if 0 <= run.height < MARGIN * height]
    assert not [run for run in header + footer if run.tagged], f"{path.name}: tagged text in the margins: {[run for run in header + footer if run.tagged][:5]}"
    band = ("-W", f"{width:.0f}", "-H", f"{MARGIN * height:.0f}")  # a strip across the page, so many points from its top
    above = pdf_text.page_texts(path, *band, "-y", "0")
    below = pdf_text.page_texts(path, *band, "-y", f"{(1 - MARGIN) * height:.0f}")
    assert len(above) == len(below) == len(pdf.pages)
    numbered = {number for number, text in enumerate(below) if text.strip() == pdf.pages[number].label}
    headed = {number for number, text in enumerate(above) if text.strip()}
    assert len(numbered) >= 0.8 * len(pdf.pages) and len(headed) >= 0.8 * len(pdf.pages), (len(numbered), len(headed), len(pdf.pages))
    # the runs read in the margins are the running headers and page numbers poppler reads there
    assert numbered <= {run.page for run in footer} and headed <= {run.page for run in header}
    assert any(run.tagged for run in runs if MARGIN * height < run.height < (1 - MARGIN) * height)


@upstream
def test_footnotes_are_notes(tagged_pdfs: dict[str, Path], upstream_tree: Path) -> None:
    """Every footnote of the kader is a Note element in the edition (with its label and text), not a paragraph.

    A footnote is known by the first words of its text (a link's text counted, not its address); a
    link's element may come before the text around it in the tree, so the words are compared as a set."""
    edition = tagged_pdfs["edition"]
    pages = [page for page in upstream_tree.rglob("*.md") if not {"includes", "templates"} & set(page.relative_to(upstream_tree).parts)]
    definitions = [match[1] for page in pages for match in re.finditer(r"^\[\^[^\]]+\]:\s*(.+)$", page.read_text("utf-8"), re.MULTILINE)]
    footnotes = [words(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))[:6] for text in definitions]
    assert footnotes, "the real kader has no footnotes"
    notes = [element for element in structure_of(edition).walk() if element.type == "Note"]
    assert notes, f"{edition.name} has no Note element"
    texts = marked_texts(edition, {page for note in notes for page in element_pages(note)})
    in_notes = [set(words(element_text(note, texts))) for note in notes]
    missing = [" ".join(footnote) for footnote in footnotes if not any(set(footnote) <= text for text in in_notes)]
    assert not missing, f"footnotes not in a Note: {missing[:5]}"


def words(text: str) -> list[str]:
    return [comparable(word) for word in text.split() if comparable(word)]


@upstream
def test_language_title_and_pdfua_identifier(tagged) -> None:
    path, pdf, _ = tagged
    assert str(pdf.Root.Lang) == "nl"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    with pdf.open_metadata() as xmp:
        assert xmp.get("dc:title") == str(pdf.docinfo.Title) == "Algoritmekader"
        assert str(xmp.get("pdfuaid:part")) == "1"
    assert all(page.get("/Tabs") == "/S" for page in pdf.pages)


@upstream
def test_pdfua_checker_passes(tagged) -> None:
    pdfua = pytest.importorskip("pdfua")
    path, _, _ = tagged
    with linear_walk():  # the same check, each structure element built once (tests/pdfua_walk.py)
        report = pdfua.validate(str(path))
    findings = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings]
    assert report.exit_code == 0 and not findings, findings[:10]


def checker_view(path: Path) -> tuple[list[tuple], list[tuple]]:
    """What pdfua's rules work from and what they conclude: every structure element in its walk's order
    (role, page, texts, table associations, object, number of children), and each rule's outcome."""
    import pdfua
    from pdfua.document import PdfDocument

    with PdfDocument.open(str(path)) as document:
        elements = [(e.role, e.page, e.alt, e.actual_text, e.has_scope, e.has_headers, e.obj.objgen, len(e.children)) for e in document.struct_elements]
    report = pdfua.validate(str(path))
    outcomes = [(o.rule_id, o.skipped_reason, [(f.rule_id, f.severity.name, f.message, f.location) for f in o.findings]) for o in report.outcomes]
    return elements, outcomes


@upstream
def test_the_linear_walk_gives_the_checker_the_same_elements_and_findings(tagged_pdfs: dict[str, Path], tmp_path: Path) -> None:
    """tests/pdfua_walk.py changes how often pdfua builds an element, nothing else: on the handout with
    every header cell made a data cell (so that the table rule, which reads the rows and cells below each
    table, has findings to compare), the elements and every rule's outcome are the same with it and without."""
    damaged = tmp_path / "zonder-kopcellen.pdf"
    with pikepdf.open(tagged_pdfs["handout"]) as pdf:
        pending = [pdf.Root.StructTreeRoot]
        while pending:
            node = pending.pop()
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/TH":
                        kid.S = pikepdf.Name.TD
                    pending.append(kid)
        pdf.save(damaged)
    plain = checker_view(damaged)
    with linear_walk():
        linear = checker_view(damaged)
    elements, outcomes = plain
    assert len(elements) > 1000 and "/TD" in {role for role, *_ in elements}
    assert any(rule == "UA-15-003" and findings for rule, _, findings in outcomes)
    assert linear == plain


@upstream
def test_struct_text_reads_headings_and_paragraphs_in_order(tagged_pdfs: dict[str, Path], upstream_pages) -> None:
    """poppler reads the tree: the page titles come in the order of the bookmarks. Read in the shortest
    handout with more than 20 bookmarks, tagged by the same code as the edition: poppler reads a tagged
    page's text in about 0.2 s CPU, more per page the longer the file (minutes over the edition)."""
    handouts = (tagged_pdfs["edition"].parent / "handouts").rglob("*.pdf")
    outlined = sorted((page_count(path), path) for path in handouts if len(bookmarks(path)) > 20)
    assert outlined, "no handout has more than 20 bookmarks"
    handout = outlined[0][1]
    text = struct_text(handout)
    headings = [comparable(" ".join(re.findall(r'"([^"]*)"', block))) for block in re.split(r"\n\s*(?=H[1-6]\b)", text)[1:]]
    assert "P (block)" in text
    titles = [comparable(mark.label) for mark in bookmarks(handout)]
    assert len(titles) > 20, f"{handout.name} has only {len(titles)} bookmarks"
    position = 0
    for title in titles:
        found = next((i for i in range(position, len(headings)) if title in headings[i]), None)
        assert found is not None, f"heading {title!r} not found in reading order after {headings[position - 1] if position else 'the start'!r}"
        position = found + 1


@upstream
def test_text_extracts_without_ligatures_or_soft_hyphens_and_holds_every_record_title(tagged_pdfs: dict[str, Path], upstream_pages) -> None:
    kader, published = upstream_pages
    text = pdf_text.text(tagged_pdfs["edition"])  # poppler shows a ligature glyph and a soft hyphen as pypdf does
    assert not LIGATURES.findall(text)
    assert not re.search(r"\w\u00ad", text)
    assert "fi" in text and "ffi" in text  # the ligature glyphs' letters are there
    letters = comparable(text)
    missing = [page.docname for page in published.values() if page.short_id and comparable(page.title) not in letters]
    assert not missing, f"record titles missing from the extracted text: {missing[:5]}"


@upstream
def test_mermaid_diagram_is_an_image_with_alt_text(tagged_pdfs: dict[str, Path]) -> None:
    edition = tagged_pdfs["edition"]
    reader = pdf_text.pypdf_reader(edition)
    destinations = {str(name): reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    page = destinations["%levenscyclus/over-de-levenscyclus"]
    pages = range(page, min(p for name, p in destinations.items() if p > page and "#" not in name) + 1)  # to where the next page starts
    pdf = pikepdf.open(edition)
    images = [
        name for number in pages for name, xobject in (pdf.pages[number].Resources.get("/XObject") or {}).items() if xobject.Subtype in ("/Image", "/Form")
    ]
    assert images, "no image on the levenscyclus page"
    text = "".join(reader.pages[number].extract_text() for number in pages)
    assert "broncode in Mermaid" not in text and "flowchart" not in text
    alts = [e.alt for e in structure_of(edition).walk() if e.type == "Figure"]
    assert any(alt and "Probleemanalyse" in alt for alt in alts)


@upstream
def test_remote_image_is_a_link_in_the_site(upstream_site: Path) -> None:
    from bs4 import BeautifulSoup

    html = BeautifulSoup((upstream_site / "over-het-algoritmekader" / "toegankelijkheid.html").read_text("utf-8"), "html.parser")
    assert not [img["src"] for img in html.select("img[src]") if "://" in img["src"]]
    link = next(a for a in html.select("a[href]") if "toegankelijkheidsverklaring.nl" in a["href"])
    assert "Status toegankelijkheidslabel" in link.get_text()


@upstream
def test_remote_image_is_a_link_in_the_pdf(tagged_pdfs: dict[str, Path]) -> None:
    log = (tagged_pdfs["edition"].parents[1] / "pdf-build.log").read_text("utf-8")
    assert "remote image" not in log.lower(), "the PDF build tried to fetch an image from another host"
    reader = pdf_text.pypdf_reader(tagged_pdfs["edition"])
    uris = {str(a.get_object()["/A"]["/URI"]) for page in reader.pages for a in page.get("/Annots") or [] if "/URI" in a.get_object().get("/A", {})}
    assert any("toegankelijkheidsverklaring.nl" in uri for uri in uris)
    assert "Status toegankelijkheidslabel" in " ".join(pdf_text.text(tagged_pdfs["edition"]).split())


# -- the layer on rinohtype ------------------------------------------------------------------------


def test_tagging_is_installed_with_the_other_patches_and_undone_after() -> None:
    from rinoh.backend.pdf import Canvas
    from rinoh.table import Table

    from kaderpers.pdf.compat import KNOWN_VERSIONS, PATCHES, patched_rinohtype, rinohtype_version
    from kaderpers.pdf.template import KaderTemplate

    assert {"tag-text", "tagged-documents", "ligature-texts"} <= {patch.name for patch in PATCHES if patch.tagging}
    before = (Canvas.show_glyphs, Canvas.place_image, Table.render, KaderTemplate.tagged)
    with patched_rinohtype(lambda patch: not patch.tagging) as installed:  # kaderpers_pdf_tagged = False
        assert not any(patch.tagging for patch in installed)
        assert (Canvas.show_glyphs, Canvas.place_image, Table.render, KaderTemplate.tagged) == before
    with patched_rinohtype() as installed:
        if rinohtype_version() in KNOWN_VERSIONS:
            assert Canvas.show_glyphs is not before[0] and KaderTemplate.tagged
    assert (Canvas.show_glyphs, Canvas.place_image, Table.render, KaderTemplate.tagged) == before
    assert before[-1] is False


def test_faster_object_registration_numbers_objects_as_rinohtype_does() -> None:
    from rinoh.backend.pdf import cos

    from kaderpers.pdf.compat import patched_rinohtype

    def numbers() -> list[int]:
        document = cos.Document("test")
        objects = [cos.Dictionary(indirect=True) for _ in range(50)]
        found = [document.register(o).identifier for o in objects[:20]]
        document.register(objects[19]).delete(document)  # rinohtype deletes objects it replaces
        found += [document.register(o).identifier for o in objects[20:]]
        found += [document.register(o).identifier for o in objects[:5]]  # registered again: same number
        return found

    plain = numbers()
    with patched_rinohtype(lambda patch: patch.name == "remembered-object-numbers") as installed:
        assert [patch.name for patch in installed] == ["remembered-object-numbers"]
        patched = numbers()
    assert patched == plain


def test_ligature_glyphs_map_to_their_letters() -> None:
    from rinoh.font.opentype import OpenTypeFont

    from kaderpers.pdf.tagging import glyph_texts

    font_file = next(Path(__import__("rinoh_typeface_texgyreheros").__file__).parent.glob("*regular*.otf"), None)
    if font_file is None:
        pytest.skip("TeX Gyre Heros is not installed")
    font = OpenTypeFont(str(font_file))
    texts = glyph_texts(font)
    mapping = font["cmap"][font._encoding].mapping
    assert texts[mapping[0xFB01]] == "fi" and texts[mapping[0xFB03]] == "ffi"
    assert texts[mapping[ord("a")]] == "a"
    assert not any(LIGATURES.search(text) for text in texts.values())


def test_diagram_alt_text_is_its_description_or_its_source() -> None:
    from kaderpers.pdf.diagrams import alternative_text

    described = "flowchart LR\n  accTitle: Fasen\n  accDescr: Van probleemanalyse tot uitfaseren\n  A --> B"
    assert alternative_text(described) == "Fasen. Van probleemanalyse tot uitfaseren"
    plain = 'flowchart TD\n  A(Probleemanalyse) --> B(Ontwerp);\n  click A href "../a"\n  style A fill:#fff'
    assert alternative_text(plain) == "Diagram (Mermaid): flowchart TD A(Probleemanalyse) --> B(Ontwerp)"
