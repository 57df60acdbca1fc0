"""The PDF edition and handouts, checked in the written PDFs (pypdf and poppler's pdftotext).

* A small tree in MyST with every construct the extension, the dialect and
  sphinx-design produce (tests/construct_tree.py) is built once by the shared
  ``construct_build`` fixture (site, edition, handouts).
* The bundled content/ is built by the shared ``content_build`` fixture (``--all``).
* The upstream kader gets one edition and one rol handout per session
  (``upstream_pdfs`` in conftest), on the environment of the shared ``upstream_build``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pdf_text
from conftest import comparable, own_print_cache, rol_stems, run_kaderpers
from pdf_tags import bookmarks
from pdf_text import drawn_images, pdftotext

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.pdf

# -- helpers ---------------------------------------------------------------------------------


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as one space (titles wrap across lines)."""
    return re.sub(r"\s+", " ", text)


def page_texts(pdf: Path, *options: str) -> list[str]:
    """Each page's text (poppler), flattened."""
    return [flat(text) for text in pdf_text.page_texts(pdf, *options)]


def link_annotations(page: pypdf.PageObject) -> list[dict]:
    links = []
    for reference in page.get("/Annots") or []:
        annotation = reference.get_object()
        if annotation.get("/Subtype") == "/Link":
            links.append(annotation)
    return links


def destination_name(annotation: dict) -> str | None:
    action = annotation.get("/A")
    if action is not None and action.get_object().get("/S") == "/GoTo":
        destination = action.get_object()["/D"]
        return str(destination) if isinstance(destination, str) else None
    destination = annotation.get("/Dest")
    return str(destination) if isinstance(destination, str) else None


def uris(reader: pypdf.PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        for annotation in link_annotations(page):
            action = annotation.get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                found.add(str(action.get_object()["/URI"]))
    return found


def destination_pages(reader: pypdf.PdfReader) -> dict[str, int]:
    """Named destination → page index."""
    return {str(name): reader.get_destination_page_number(destination) for name, destination in reader.named_destinations.items()}


def outline_titles(items: list, depth: int = 0) -> list[tuple[int, str]]:
    """(depth, title without its section number) of every bookmark, in order."""
    result = []
    for item in items:
        if isinstance(item, list):
            result.extend(outline_titles(item, depth + 1))
        else:
            result.append((depth, re.sub(r"^[\d.]+\s+", "", str(item.title)).strip()))
    return result


# -- the construct tree ------------------------------------------------------------------------


def test_every_construct_prints_its_text(construct_edition: Path) -> None:
    text = flat(pdftotext(construct_edition))
    for expected in (
        "Een gewone notitie.",
        "Een eigen soort melding.",
        "Leeg blok",  # an admonition left without body prints its title instead of stopping the build
        "Tekst in de uitklapper die open gedrukt moet worden.",
        "Inhoud van de eerste tab.",
        "Inhoud van de tweede tab.",
        "Kaart een",
        "Tekst van kaart twee.",
        "Naar de knop",
        "AVG (Algemene verordening gegevensbescherming)",
        "De tekst van de voetnoot.",
        "Tekst in een HTML-blok met een link.",
        "een inline link",
        "rij 89 b met wat meer tekst",
        "Einde van de bouwstenen.",
    ):
        assert expected in text, f"{expected!r} is missing from the PDF"


def test_mermaid_diagram_prints_as_an_image_described_by_its_source(construct_edition: Path) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    from pdf_tags import structure

    assert "Begin --> Einde" not in flat(pdftotext(construct_edition))  # not printed as code
    with pikepdf.open(construct_edition) as pdf:
        alts = [element.alt for element in structure(pdf).walk() if element.type == "Figure"]
    assert any(alt and alt.startswith("Diagram (Mermaid):") and "Begin --> Einde" in alt for alt in alts), alts


def test_links_in_raw_html_buttons_and_text_stay_links(construct_edition: Path) -> None:
    found = uris(pdf_text.pypdf_reader(construct_edition))
    assert {"https://example.org/html", "https://example.org/inline", "https://example.org/knop", "https://example.org/kader"} <= found


def test_internal_link_leads_to_the_page_it_names(construct_edition: Path) -> None:
    reader = pdf_text.pypdf_reader(construct_edition)
    targets = destination_pages(reader)
    texts = page_texts(construct_edition)
    home = next(i for i, t in enumerate(texts) if "Welkom bij het proefkader" in t and "Zie de ontwerpfase" in t)
    names = [destination_name(a) for a in link_annotations(reader.pages[home])]
    assert "%levenscyclus/ontwerp" in names
    assert "Fase 2: Ontwerp" in texts[targets["%levenscyclus/ontwerp"]]


def test_table_head_repeats_on_every_page_of_a_long_table(construct_edition: Path) -> None:
    texts = page_texts(construct_edition, "-layout")  # a row's cells on one line
    pages_with_rows = [t for t in texts if re.search(r"rij \d+ a", t)]
    assert len(pages_with_rows) >= 2
    assert all("Kolom A Kolom B" in t for t in pages_with_rows)


def test_images_are_print_copies_without_transparency(construct_build: subprocess.CompletedProcess[str], construct_edition: Path) -> None:
    cache = construct_build.out / "pdf-cache" / "images"  # type: ignore[attr-defined]
    copies = sorted(path for path in cache.iterdir() if not path.name.startswith("mermaid-"))
    diagrams = sorted(path for path in cache.iterdir() if path.name.startswith("mermaid-") and path.suffix != ".json")  # beside it: its size
    assert all(p.suffix in (".png", ".jpg") for p in copies) and len(copies) == 3
    assert [p.suffix for p in diagrams] == [".pdf"]  # the drawn diagram, printed as vector graphics
    from PIL import Image

    sizes = []
    for copy in copies:
        with Image.open(copy) as image:
            assert image.mode in ("RGB", "L") and max(image.size) <= 1600
            sizes.append(image.size)
    reader = pdf_text.pypdf_reader(construct_edition)
    # Each print copy is in the PDF as it is; not counting the cover, whose logo could stand in for one.
    embedded = [(width, height) for page, width, height in drawn_images(construct_edition) if page > 1]
    assert all(size in embedded for size in sizes), (sizes, embedded)
    for page in reader.pages:
        for name, xobject in (page["/Resources"].get("/XObject") or {}).items():
            assert "/SMask" not in xobject.get_object(), f"{name} still has an alpha channel"


def test_metadata_language_and_bookmarks(construct_edition: Path) -> None:
    reader = pdf_text.pypdf_reader(construct_edition)
    assert reader.metadata.title == "Algoritmekader"
    assert str(reader.trailer["/Root"]["/Lang"]) == "nl"
    outline = outline_titles(reader.outline)
    titles = [title for _, title in outline]
    assert titles.index("Welkom bij het proefkader") < titles.index("Levenscyclus") < titles.index("Fase 2: Ontwerp") < titles.index("Fase 6: Implementatie")
    depth: dict[str, int] = {}
    for level, title in outline:  # the first of a title (the traceability appendix repeats the phases)
        depth.setdefault(title, level)
    assert depth["Fase 2: Ontwerp"] == depth["Levenscyclus"] + 1
    assert "Vereiste" not in titles  # headings inside a page are not bookmarks


def test_tagging_changes_no_text_link_or_bookmark(construct_build: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    """The tagging layer (kaderpers.pdf.tagging) only adds tags: an untagged edition of the same
    environment has the same pages, text, links and bookmarks (ligatures aside, which it spells out)."""
    out = construct_build.out  # type: ignore[attr-defined]
    for folder in ("doctrees", "pdf-cache"):
        if (out / folder).is_dir():
            shutil.copytree(out / folder, tmp_path / folder)
    with own_print_cache():  # the copy of the tagged build's own (construct_build): its diagrams are not drawn again
        run_kaderpers("build", str(construct_build.tree), "--out", str(tmp_path), "--no-html", "--pdf", "--untagged")  # type: ignore[attr-defined]
    tagged, plain = pypdf.PdfReader(out / "pdf" / "algoritmekader.pdf"), pypdf.PdfReader(tmp_path / "pdf" / "algoritmekader.pdf")
    assert "/StructTreeRoot" in tagged.trailer["/Root"] and "/StructTreeRoot" not in plain.trailer["/Root"]
    spelled = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})
    # The text as poppler reads it (pypdf's extract_text took 8 CPU-s over the two files).
    assert len(tagged.pages) == len(plain.pages)
    assert pdf_text.page_texts(out / "pdf" / "algoritmekader.pdf") == [
        text.translate(spelled) for text in pdf_text.page_texts(tmp_path / "pdf" / "algoritmekader.pdf")
    ]

    def links(page: pypdf.PageObject) -> list[tuple]:
        found = []
        for annotation in link_annotations(page):
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI")) if action is not None else None
            found.append((tuple(round(float(x), 2) for x in annotation["/Rect"]), destination_name(annotation), uri))
        return found

    assert [links(page) for page in tagged.pages] == [links(page) for page in plain.pages]
    assert outline_titles(tagged.outline) == outline_titles(plain.outline)
    assert destination_pages(tagged) == destination_pages(plain)


def test_no_blank_pages(construct_edition: Path) -> None:
    texts = page_texts(construct_edition)
    assert all(text.strip() for text in texts)
    # a long table inside a dropdown once made rinohtype add empty pages without end
    text = flat(pdftotext(construct_edition))
    assert "lang 119" in text and "cel 119" in text and len(texts) < 40


def test_handout_holds_its_phase_and_prints_outside_references_as_text(construct_build: subprocess.CompletedProcess[str]) -> None:
    folder = construct_build.out / "pdf" / "handouts"  # type: ignore[attr-defined]
    assert sorted(p.name for p in folder.glob("*.pdf")) == ["implementatie.pdf", "ontwerp.pdf"]  # rollen/ holds the role handouts
    handout = folder / "ontwerp.pdf"
    text = flat(pdftotext(handout))
    for expected in ("Fase 2: Ontwerp", "Organisaties verwerken persoonsgegevens rechtmatig", "Voer een DPIA uit", "avg-01", "owp-01"):
        assert expected in text
    assert "Geef uitleg over elk besluit." not in text  # a record of another phase is not in this handout
    assert "de uitlegvereiste" in text  # … but the reference to it is kept as text
    reader = pypdf.PdfReader(handout)
    names = set(destination_pages(reader))
    for page in reader.pages:
        for annotation in link_annotations(page):
            name = destination_name(annotation)
            if name is not None:
                assert name in names, f"dead link to {name}"


def test_dutch_hyphenation_uses_the_dutch_dictionary() -> None:
    pytest.importorskip("rinoh")
    import rinoh.paragraph

    from kaderpers.pdf.compat import patched_rinohtype

    with patched_rinohtype(lambda patch: patch.name == "dutch-hyphenation"):
        hyphenator = rinoh.paragraph.HYPHENATORS["nl_NL", 3]
    splits = {first for first, _, _ in hyphenator.iterate("verantwoordelijkheden")}
    assert "verantwoordelijk" in splits


def test_watchdog_ends_a_hung_layout_naming_the_page(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import time
        from kaderpers.pdf.watchdog import watchdog
        with watchdog("handouts/ontwerp", 1, lambda: (12, "levenscyclus/ontwerp")):
            time.sleep(60)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    from kaderpers.pdf.watchdog import HUNG

    assert result.returncode == HUNG
    assert "handouts/ontwerp" in result.stderr and "page 12" in result.stderr and "levenscyclus/ontwerp" in result.stderr


# -- the bundled content -------------------------------------------------------------------------


def test_content_builds_the_edition_and_a_handout_per_phase(content_build: subprocess.CompletedProcess[str]) -> None:
    from conftest import CONTENT
    from kaderpers.core.loader import load_tree

    out = content_build.out / "pdf"  # type: ignore[attr-defined]
    kader = load_tree(CONTENT).kader
    assert (out / "algoritmekader.pdf").stat().st_size > 0
    assert sorted(p.stem for p in (out / "handouts").glob("*.pdf")) == sorted(phase.stem for phase in kader.phases)
    assert len(kader.phases) == 9
    for phase in kader.phases:
        text = flat(pdftotext(out / "handouts" / f"{phase.stem}.pdf"))
        from kaderpers.core.model import PageKind

        for record in kader.select(PageKind.VEREISTE, [("levenscyclus", phase.stem)]):
            assert record.short_id in text, f"{record.short_id} missing from the {phase.stem} handout"


def records_of_rol(tree: Path, rol: str) -> set[str]:
    """The titles (comparable) of the vereisten and maatregelen whose front matter names ``rol``, read
    with python-frontmatter, not with kaderpers (a single string counts as a list of one)."""
    import frontmatter

    titles = set()
    for kind in ("vereisten", "maatregelen"):
        for path in (tree / "voldoen-aan-wetten-en-regels" / kind).glob("*.md"):
            if path.name != "index.md":
                meta = frontmatter.load(path).metadata
                rollen = meta.get("rollen") or []
                if rol in ([rollen] if isinstance(rollen, str) else rollen):
                    titles.add(comparable(str(meta.get("title", ""))))
    return titles


def assert_role_handouts(pdf_folder: Path, tree: Path, roles: list[str] | None = None) -> None:
    """A handout per rol (or for ``roles``), the rol's page first, with a bookmark for exactly the records
    of that rol (under their phases: fase → Vereisten/Maatregelen → record)."""
    roles = rol_stems(tree) if roles is None else roles
    assert roles
    assert sorted(p.stem for p in (pdf_folder / "handouts" / "rollen").glob("*.pdf")) == roles
    for stem in roles:
        handout = pdf_folder / "handouts" / "rollen" / f"{stem}.pdf"
        outline = [(mark.depth, mark.label) for mark in bookmarks(handout)]
        rol_title = comparable(str(frontmatter_title(tree / "rollen" / f"{stem}.md")))
        assert outline and comparable(outline[0][1]) == rol_title, f"the {stem} handout does not start with its rol page"
        expected = records_of_rol(tree, stem)
        assert expected
        printed = {comparable(title) for depth, title in outline if depth == 2}
        assert printed == expected, f"{stem}: missing {sorted(expected - printed)[:3]}, not of this rol {sorted(printed - expected)[:3]}"


def frontmatter_title(path: Path) -> str:
    import frontmatter

    return str(frontmatter.load(path).metadata.get("title", ""))


def test_content_builds_a_handout_per_rol(content_build: subprocess.CompletedProcess[str]) -> None:
    from conftest import CONTENT

    assert_role_handouts(content_build.out / "pdf", CONTENT)  # type: ignore[attr-defined]


# -- the upstream kader ---------------------------------------------------------------------------


@pytest.mark.upstream
def test_upstream_rol_handout_holds_every_record_of_that_rol(upstream_pdfs: Path, upstream_tree: Path) -> None:
    """The one real rol handout the shared build lays out (conftest.upstream_rol_handout), read in the PDF."""
    from conftest import upstream_rol_handout

    assert_role_handouts(upstream_pdfs, upstream_tree, [upstream_rol_handout(upstream_tree)])


@pytest.mark.upstream
def test_upstream_each_rol_handout_would_hold_exactly_the_records_of_that_rol(upstream_pages, upstream_tree: Path) -> None:
    """Every real rol's handout as the PDF builder assembles it (not laid out: the one above is): its rol's
    page first, then exactly the records whose front matter names the rol, each once."""
    from kaderpers.pdf.documents import role_handouts

    kader, _ = upstream_pages
    documents = {document.target.rsplit("/", 1)[-1]: document for document in role_handouts(kader, "")}
    assert len(rol_stems(upstream_tree)) >= 2 and sorted(documents) == rol_stems(upstream_tree)
    for stem, document in documents.items():
        assert document.docnames[0] == f"rollen/{stem}"
        records = document.docnames[1:]
        assert len(records) == len(set(records)), f"{stem}: a record twice"
        titles = {comparable(str(frontmatter_title(upstream_tree / f"{docname}.md"))) for docname in records}
        assert titles == records_of_rol(upstream_tree, stem), stem


@pytest.mark.upstream
def test_upstream_edition_has_every_title_and_record_id(upstream_edition: Path, upstream_pages) -> None:
    from kaderpers.core.model import PageKind

    kader, published = upstream_pages
    raw = pdftotext(upstream_edition)
    text, letters = flat(raw), comparable(raw)
    missing_titles = [p.docname for p in published.values() if comparable(p.heading or p.title) not in letters]
    assert not missing_titles, f"titles missing: {missing_titles[:10]}"
    records = [p for kind in (PageKind.VEREISTE, PageKind.MAATREGEL) for p in kader.of_kind(kind) if p.docname in published]
    assert len(records) > 150
    missing_ids = [p.short_id for p in records if not re.search(rf"(?<![\w-]){re.escape(p.short_id)}(?![\w-])", text)]
    assert not missing_ids, f"ids missing: {missing_ids[:10]}"


@pytest.mark.upstream
def test_upstream_phase_table_rows_link_to_their_records(upstream_edition: Path, upstream_pages) -> None:
    from kaderpers.core.model import PageKind

    kader, published = upstream_pages
    reader = pdf_text.pypdf_reader(upstream_edition)
    targets = destination_pages(reader)
    texts = page_texts(upstream_edition)
    phase = kader.phases[2]
    start = targets[f"%{phase.docname}"]
    end = min(page for name, page in targets.items() if name.startswith("%levenscyclus/") and "#" not in name and page > start)
    linked = {destination_name(a) for index in range(start, end + 1) for a in link_annotations(reader.pages[index])}
    expected = [r for kind in (PageKind.VEREISTE, PageKind.MAATREGEL) for r in kader.select(kind, [("levenscyclus", phase.stem)]) if r.docname in published]
    assert expected
    for record in expected:
        name = f"%{record.docname}"
        assert name in linked, f"no link from the {phase.stem} page to {record.docname}"
        assert flat(record.title)[:40] in texts[targets[name]] or record.short_id in texts[targets[name]]


@pytest.mark.upstream
def test_upstream_bookmarks_follow_the_navigation(upstream_edition: Path, upstream_tree: Path, upstream_pages) -> None:
    from kaderpers.sphinxext.navigation import ROOT, build_navigation, find_nav_file

    _, published = upstream_pages
    nav = build_navigation(set(published), {}, find_nav_file(upstream_tree))
    title = {d: flat(p.heading or p.title) for d, p in published.items()}
    outline = [(mark.depth, mark.label) for mark in bookmarks(upstream_edition)]
    top = [t for depth, t in outline if depth == 0]
    # The pages in navigation order, then the appendix the edition adds (kaderpers.sphinxext.traceability).
    assert top == [title[ROOT], *(title[e.docname] for e in nav.children[ROOT]), "Traceerbaarheid"]
    second = [t for depth, t in outline if depth == 1]
    expected_second = [title[c.docname] for e in nav.children[ROOT] for c in nav.children.get(e.docname, [])]
    assert second[: len(expected_second)] == expected_second
    assert [re.sub(r" \(\d+\)$", "", t) for t in second[len(expected_second) :]] == ["Vereisten en maatregelen", "Maatregelen en auditkaders", "Hiaten"]
