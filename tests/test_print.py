"""What readers take away in print (issue 21): a lighter PDF, and diagrams that read on paper.

The real tree's edition comes from the shared ``upstream_pdfs`` build (conftest), which
also keeps each PDF as rinohtype laid it out, before it was compacted
(``OUT/pdf-laid-out``, through ``tests/laid_out/sitecustomize.py``): the compacted
edition is held against that copy, so no second layout is needed.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from pdf_tags import bookmarks, link_annotations, structure_of
from pdf_text import page_texts, pypdf_reader
from pdf_text import text as pdf_words

pikepdf = pytest.importorskip("pikepdf")
pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.pdf
upstream = pytest.mark.upstream


def element_counts(path: Path) -> Counter:
    tree = structure_of(path)
    assert tree is not None, f"{path.name} has no structure tree"
    return Counter(element.type for element in tree.walk())


def link_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return sum(1 for _ in link_annotations(pdf))


def xmp_and_images(path: Path) -> tuple[str, list[tuple[int, int, str, bytes]]]:
    """The XMP metadata packet, and every image of every page: width, height, filter and decoded bytes."""
    with pikepdf.open(path) as pdf:
        images = []
        for page in pdf.pages:
            for _, image in sorted((page.Resources.get("/XObject") or {}).items()):
                if image.get("/Subtype") == "/Image":
                    data = image.read_raw_bytes() if image.get("/Filter") == "/DCTDecode" else image.read_bytes()
                    images.append((int(image.Width), int(image.Height), str(image.get("/Filter")), data))
        return pdf.Root.Metadata.read_bytes().decode("utf-8"), images


@pytest.fixture(scope="session")
def laid_out_edition(upstream_edition: Path) -> Path:
    path = upstream_edition.parents[1] / "pdf-laid-out" / "algoritmekader.pdf"
    assert path.is_file(), "the build kept no laid-out copy of the edition (tests/laid_out/sitecustomize.py)"
    return path


@upstream
def test_edition_is_compacted_to_at_most_055_of_its_laid_out_size_and_loses_nothing(upstream_edition: Path, laid_out_edition: Path) -> None:
    compacted, laid_out = upstream_edition.stat().st_size, laid_out_edition.stat().st_size
    assert compacted <= 0.55 * laid_out, f"{compacted / 1e6:.1f} MB is {compacted / laid_out:.2f}× the laid-out {laid_out / 1e6:.1f} MB"
    with pikepdf.open(upstream_edition) as after, pikepdf.open(laid_out_edition) as before:
        assert any(obj.get("/Type") == "/ObjStm" for obj in after.objects if isinstance(obj, pikepdf.Stream))  # written with object streams
        pages = len(after.pages)
        assert pages == len(before.pages) > 300
    outline = bookmarks(upstream_edition)  # title, depth and page of each
    assert len(outline) > 200 and outline == bookmarks(laid_out_edition)
    assert link_count(upstream_edition) == link_count(laid_out_edition) > 100
    counts = element_counts(upstream_edition)
    assert counts["Figure"] and counts["Link"] and counts == element_counts(laid_out_edition)
    # Every page's text, letter for letter (the spaces poppler infers from glyph positions aside).
    texts = ["".join(text.split()) for text in page_texts(upstream_edition)]
    laid_out_texts = ["".join(text.split()) for text in page_texts(laid_out_edition)]
    assert len(texts) == len(laid_out_texts) == pages and sum(map(len, texts)) > 500_000
    differing = [number + 1 for number, (text, laid_out) in enumerate(zip(texts, laid_out_texts, strict=True)) if text != laid_out]
    assert not differing, f"the text of pages {differing[:10]} differs from the laid-out edition"
    xmp, images = xmp_and_images(upstream_edition)
    assert "pdfuaid:part" in xmp and (xmp, images) == xmp_and_images(laid_out_edition)
    assert images, "the edition has no images to compare"


# -- diagrams that read in print ------------------------------------------------------------------

MIN_LABEL_PT = 7.0
#: The levenscyclus diagram's node labels, as the page's Mermaid source writes them.
LEVENSCYCLUS_LABELS = (
    "0. Organisatieverantwoordelijkheden",
    "1. Probleemanalyse",
    "3. Dataverkenning en datapreparatie",
    "7. Monitoring en beheer",
    "8. Uitfaseren",
)


def section_pages(path: Path, docname: str) -> range:
    """The pages a kader page's section is printed on: from its start to where the next page starts."""
    reader = pypdf_reader(path)
    starts = {
        str(name)[1:]: reader.get_destination_page_number(d)
        for name, d in reader.named_destinations.items()
        if str(name).startswith("%") and "#" not in str(name)
    }
    first = starts[docname]
    return range(first, min((page for page in starts.values() if page > first), default=first) + 1)


def pages_with_vector_figures(path: Path) -> list[int]:
    """Pages that place a PDF drawing (a form XObject): the diagrams."""
    with pikepdf.open(path) as pdf:
        return [index for index, page in enumerate(pdf.pages) if any(x.get("/Subtype") == "/Form" for x in (page.Resources.get("/XObject") or {}).values())]


def figure_chars(path: Path, pages: list[int]) -> dict[int, list]:
    """page → the characters drawn inside form XObjects on it (pdfminer: LTChar in an LTFigure), with their size in points."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer, LTFigure

    def chars(item, in_figure: bool):  # noqa: ANN001
        if isinstance(item, LTChar):
            if in_figure:
                yield item
        elif isinstance(item, LTContainer):
            for child in item:
                yield from chars(child, in_figure or isinstance(item, LTFigure))

    return {number: list(chars(page, False)) for number, page in zip(pages, extract_pages(path, page_numbers=pages), strict=False)}


@upstream
def test_the_levenscyclus_diagram_is_vector_with_selectable_labels_of_at_least_7_pt(upstream_edition: Path) -> None:
    pages = section_pages(upstream_edition, "levenscyclus/over-de-levenscyclus")
    drawn = [number for number in pages_with_vector_figures(upstream_edition) if number in pages]
    assert drawn, f"no vector drawing on the levenscyclus page's pages {list(pages)}"
    chars = [char for number, found in figure_chars(upstream_edition, drawn).items() for char in found]
    assert chars, "the diagram has no text of its own"
    text = "".join(char.get_text() for char in chars)  # letters only: pdfminer adds no spaces of its own here
    texts = page_texts(upstream_edition)
    extracted = "".join("".join(texts[n] for n in drawn).split())
    for label in LEVENSCYCLUS_LABELS:  # mermaid may wrap a label over lines
        assert "".join(label.split()) in "".join(text.split()), f"{label!r} is not text in the drawing"
        assert "".join(label.split()) in extracted, f"pdftotext does not find {label!r} on the page"
    assert min(char.size for char in chars) >= MIN_LABEL_PT
    with pikepdf.open(upstream_edition) as pdf:  # no bitmap stands in for the diagram
        assert not [x for n in drawn for x in (pdf.pages[n].Resources.get("/XObject") or {}).values() if x.get("/Subtype") == "/Image" and int(x.Width) >= 1000]


@upstream
def test_every_diagram_label_in_the_edition_is_at_least_7_pt(upstream_edition: Path) -> None:
    pages = pages_with_vector_figures(upstream_edition)
    assert pages
    chars = figure_chars(upstream_edition, pages)
    small = [
        (number + 1, char.get_text(), round(char.size, 2))
        for number, found in chars.items()
        for char in found
        if char.size < MIN_LABEL_PT and char.get_text().strip()
    ]
    assert sum(map(len, chars.values())) > 50 and not small, small[:10]


# -- the layout rule, on diagrams drawn here --------------------------------------------------------

#: A left-to-right chain too wide for a page at 7 pt, and one that cannot reach 7 pt however it turns.
WIDE_CHAIN = "graph LR\n" + "\n".join(f"  S{i}[Stap {i} van het proces] --> S{i + 1}[Stap {i + 1} van het proces]" for i in range(9))
SUBGRAPH_ACROSS = "flowchart TD\n  subgraph buiten [buiten&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;]\n    A(Begin) --> B(Midden)\n    B --> C(Einde)\n  end"


def test_nbsp_padding_collapses_and_a_flowchart_turns_top_to_bottom_with_its_subgraphs() -> None:
    from kaderpers.pdf.diagrams import collapse_padding, top_to_bottom

    assert collapse_padding("A[titel &nbsp&nbsp&nbsp;&nbsp; ] --> B[x&nbsp;y]") == "A[titel ] --> B[x y]"
    assert top_to_bottom("graph LR\n  A --> B") == "graph TB\n  A --> B"
    turned = top_to_bottom("%% opmerking\nflowchart RL\n  subgraph s [S]\n    direction LR\n    A --> B\n  end")
    assert turned is not None and "flowchart TB" in turned and "direction LR" not in turned
    assert turned.splitlines()[3].split() == ["direction", "TB"]  # right after the subgraph line
    assert top_to_bottom("sequenceDiagram\n  A->>B: hallo") is None


def test_a_diagram_is_turned_when_that_reaches_7_pt_and_reported_when_nothing_does(tmp_path: Path) -> None:
    from kaderpers import bundled
    from kaderpers.pdf.diagrams import MIN_TEXT_PT, diagram_for_print

    script = bundled.mermaid_script()
    assert script is not None, "mermaid is not installed (make setup)"
    a4 = (470.0, 620.0)  # the text block, in points
    wide = diagram_for_print(WIDE_CHAIN, script, tmp_path, *a4)
    assert wide.turned and wide.readable and wide.text_pt >= MIN_TEXT_PT
    assert wide.drawing.height_pt > wide.drawing.width_pt  # drawn top to bottom
    # mermaid lays a subgraph out across its parent: turned, the subgraph runs top to bottom too
    across = diagram_for_print(SUBGRAPH_ACROSS, script, tmp_path, 60.0, 600.0)
    assert across.turned and across.drawing.height_pt > across.drawing.width_pt
    tiny = diagram_for_print(WIDE_CHAIN, script, tmp_path, 40.0, 40.0)
    assert not tiny.readable and tiny.text_pt < MIN_TEXT_PT
    with pikepdf.open(wide.drawing.path) as pdf:  # vector, one page, without tags of its own
        assert len(pdf.pages) == 1 and "/StructTreeRoot" not in pdf.Root
        assert not any(x.get("/Subtype") == "/Image" for x in (pdf.pages[0].Resources.get("/XObject") or {}).values())
    assert "Stap 9 van het proces" in " ".join(pypdf.PdfReader(wide.drawing.path).pages[0].extract_text().split())


def test_a_diagram_mermaid_cannot_read_is_one_line_saying_why_and_nothing_is_cached(tmp_path: Path) -> None:
    """The page mermaid draws in reports a parse error through its title (the PDF's metadata): the build's
    warning gets mermaid's own words on one line, and no drawing is kept for the broken source."""
    from kaderpers import bundled
    from kaderpers.pdf.diagrams import diagram_for_print
    from kaderpers.pdf.images import ImageConversionError

    with pytest.raises(ImageConversionError) as raised:
        diagram_for_print("graph LR\n  A[Begin] -->", bundled.mermaid_script(), tmp_path, 470.0, 620.0)
    message = str(raised.value)
    assert message.startswith("mermaid could not draw the diagram: ") and "Parse error on line" in message, message
    assert "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_builds_that_share_a_print_cache_draw_a_diagram_once(tmp_path: Path) -> None:
    """``KADERPERS_PRINT_CACHE`` (README): a build into another folder takes the diagram a first build drew
    from the shared cache, and needs no Chromium for it; nothing is cached in its own output folder."""
    from conftest import make_tree, run_kaderpers

    diagram = "flowchart LR\n  A[Aanvraag gedeeld] --> B[Besluit gedeeld]"
    tree = make_tree(tmp_path / "tree", {"index.md": f"---\ntitle: Proefkader\n---\n# Proefkader\n\n```mermaid\n{diagram}\n```\n"})
    cache, no_chromium = tmp_path / "cache", tmp_path / "bin"
    no_chromium.mkdir()
    builds = []
    for name, path in (("first", os.environ["PATH"]), ("second", str(no_chromium))):
        out = tmp_path / name
        run_kaderpers("build", str(tree), "--out", str(out), "--no-html", "--pdf", env={"KADERPERS_PRINT_CACHE": str(cache), "PATH": path})
        builds.append(out)
    drawn = sorted(path.suffix for path in (cache / "images").iterdir())
    assert drawn == [".json", ".pdf"], drawn  # the diagram, drawn once, with its measurements
    assert not any((out / "pdf-cache").exists() for out in builds)
    for out in builds:
        text = " ".join(pdf_words(out / "pdf" / "algoritmekader.pdf").split())
        assert "Aanvraag gedeeld" in text and "-->" not in text, text[:600]  # the drawing's labels, not its source


def test_a_pdf_only_build_takes_the_diagrams_the_last_build_into_its_folder_drew(tmp_path: Path) -> None:
    """Without ``KADERPERS_PRINT_CACHE`` print copies are kept in OUT/pdf-cache, for ``--no-html`` builds too,
    which print from a staged copy of the environment: a ``--no-html --pdf`` build after a ``--pdf`` build
    into the same folder needs no Chromium for the diagram the first one drew."""
    from conftest import make_tree, own_print_cache, run_kaderpers

    diagram = "flowchart LR\n  A[Aanvraag bewaard] --> B[Besluit bewaard]"
    tree = make_tree(tmp_path / "tree", {"index.md": f"---\ntitle: Proefkader\n---\n# Proefkader\n\n```mermaid\n{diagram}\n```\n"})
    out, no_chromium = tmp_path / "out", tmp_path / "bin"
    no_chromium.mkdir()
    with own_print_cache():
        run_kaderpers("build", str(tree), "--out", str(out), "--pdf")
        assert sorted(path.suffix for path in (out / "pdf-cache" / "images").iterdir()) == [".json", ".pdf"]
        (out / "pdf" / "algoritmekader.pdf").unlink()
        again = run_kaderpers("build", str(tree), "--out", str(out), "--no-html", "--pdf", env={"PATH": str(no_chromium)})
    assert "Chromium" not in again.stderr, again.stderr[-2000:]
    text = " ".join(pdf_words(out / "pdf" / "algoritmekader.pdf").split())
    assert "Aanvraag bewaard" in text and "-->" not in text, text[:600]  # the drawing's labels, not its source
    assert sorted(path.suffix for path in (out / "pdf-cache" / "images").iterdir()) == [".json", ".pdf"]
