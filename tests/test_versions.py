"""``kaderpers build --versions``: releases of one repository side by side, on a repository made from a
small copy of content/ (tests/small_content.py: what is tested does not depend on the number of pages).

The repository has four releases (tags) that add, change, rename and remove records and change
the glossary, plus a fifth revision with no pages at the tree's place. Expectations come from git
and from ``kaderpers diff`` (the command line), never from the code that builds the site.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import frontmatter
import pytest

from conftest import CONTENT, run_kaderpers, serve, soup_of
from small_content import small_content

MAATREGELEN = "docs/voldoen-aan-wetten-en-regels/maatregelen"
CHANGED = f"{MAATREGELEN}/0-org-02-beleid-verantwoorde-inzet.md"
RENAMED_OLD = f"{MAATREGELEN}/1-pba-01-probleem-en-doel-formuleren.md"
RENAMED_NEW = f"{MAATREGELEN}/1-pba-01-probleem-doel-formuleren.md"
REMOVED = f"{MAATREGELEN}/0-org-03-ai-geletterdheid-bevorderen.md"
ADDED = f"{MAATREGELEN}/0-org-99-nieuwe-maatregel.md"
TAGS = ("v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0")
#: A record's page: in the folder of its kind, not the folder's index.
RECORD_PAGE = re.compile(r"voldoen-aan-wetten-en-regels/(vereisten|maatregelen|hulpmiddelen)/(?!index$)[^/]+$")


def git(repository: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(repository), *arguments], check=True, capture_output=True, text=True).stdout


def commit(repository: Path, message: str, tag: str | None = None) -> None:
    git(repository, "add", "-A")
    git(repository, "-c", "user.email=redactie@example.org", "-c", "user.name=Redactie", "commit", "-q", "-m", message)
    if tag:
        git(repository, "tag", tag)


def make_repository(root: Path) -> Path:
    repository = root / "kader"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    small_content(repository / "docs")
    commit(repository, "eerste versie", TAGS[0])
    changed = repository / CHANGED
    record = frontmatter.load(changed)
    record.metadata["title"] = "Herzien " + record.metadata["title"]
    changed.write_text(frontmatter.dumps(record) + "\n", "utf-8")
    added = frontmatter.load(repository / CHANGED)
    added.metadata.update(title="Een nieuwe maatregel in de organisatie", id="urn:nl:ak:mtr:org-99")
    (repository / ADDED).write_text(frontmatter.dumps(added) + "\n", "utf-8")
    commit(repository, "titel herzien, maatregel toegevoegd", TAGS[1])
    git(repository, "mv", RENAMED_OLD, RENAMED_NEW)
    with open(changed, "a", encoding="utf-8") as handle:
        handle.write("\nEen zin die er in deze versie bij kwam.\n")
    glossary = repository / "docs/includes/begrippenlijst.md"
    glossary.write_text(glossary.read_text("utf-8") + "*[KPI]: Kritieke prestatie-indicator.\n", "utf-8")
    commit(repository, "hernoemd, tekst en begrippenlijst", TAGS[2])
    git(repository, "rm", "-q", REMOVED)
    commit(repository, "maatregel verwijderd", TAGS[3])
    # A release that is too old: no pages at the tree's place (a commit of its own, beside main).
    blob = subprocess.run(
        ["git", "-C", str(repository), "hash-object", "-w", "--stdin"], input="Nog geen kader.\n", text=True, capture_output=True, check=True
    ).stdout.strip()
    tree = subprocess.run(
        ["git", "-C", str(repository), "mktree"], input=f"100644 blob {blob}\tREADME.md\n", text=True, capture_output=True, check=True
    ).stdout.strip()
    empty = git(repository, "-c", "user.email=redactie@example.org", "-c", "user.name=Redactie", "commit-tree", tree, "-m", "leeg").strip()
    git(repository, "tag", "v0.1.0", empty)
    return repository


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    repository = make_repository(tmp_path_factory.mktemp("versions"))
    out = tmp_path_factory.mktemp("versions-out")
    result = run_kaderpers("build", str(repository / "docs"), "--out", str(out), "--versions", "v*", "-j", "2")
    return repository, out / "html", result


def pages_at(repository: Path, tag: str) -> dict[str, dict]:
    """{target uri: front matter} of every page of a release, read with git and python-frontmatter."""
    pages = {}
    for path in git(repository, "ls-tree", "-r", "--name-only", tag, "docs").split("\n"):
        if path.endswith(".md") and not path.startswith(("docs/includes/", "docs/templates/")):
            text = git(repository, "show", f"{tag}:{path}")
            pages[path.removeprefix("docs/").removesuffix(".md") + ".html"] = frontmatter.loads(text).metadata
    return pages


def test_every_release_is_published_with_its_pages_and_the_newest_as_latest(versioned) -> None:  # noqa: ANN001
    repository, html, result = versioned
    assert "v0.1.0 is left out" in result.stderr, result.stderr[-2000:]
    versions = json.loads((html / "versions.json").read_text("utf-8"))
    assert [entry["name"] for entry in versions["versions"]] == list(reversed(TAGS))
    assert versions["latest"] == "v2.0.0"
    for tag in TAGS:
        expected = pages_at(repository, tag)
        assert len(expected) >= 20  # the small tree has 24 pages
        missing = [uri for uri in expected if not (html / tag / uri).is_file()]
        assert missing == [], f"{tag}: {missing[:5]}"
    assert not (html / "v2.0.0" / REMOVED.removeprefix("docs/").replace(".md", ".html")).exists()
    assert (html / "v1.2.0" / REMOVED.removeprefix("docs/").replace(".md", ".html")).is_file()
    # latest is the newest release's own files (hard links), not a second build.
    for relative in ("index.html", "_static/kaderpers-versions.js", RENAMED_NEW.removeprefix("docs/").replace(".md", ".html")):
        assert (html / "latest" / relative).stat().st_ino == (html / "v2.0.0" / relative).stat().st_ino
    index = soup_of(html / "index.html")
    listed = [(row.select_one("a").get_text(), row.select_one("a")["href"]) for row in index.select("tbody tr")]
    assert listed == [(tag, f"{tag}/index.html") for tag in reversed(TAGS)]


def test_identical_files_of_different_releases_are_stored_once(versioned) -> None:  # noqa: ANN001
    _, html, _ = versioned
    first, last = html / TAGS[0] / "_static", html / TAGS[-1] / "_static"
    shared = [path.name for path in first.iterdir() if path.is_file() and (last / path.name).is_file() and (last / path.name).read_bytes() == path.read_bytes()]
    assert len(shared) > 10
    assert all((first / name).stat().st_ino == (last / name).stat().st_ino for name in shared)


def diff_json(repository: Path, old: str, new: str) -> dict:
    return json.loads(run_kaderpers("diff", f"git:{old}", f"git:{new}", "--tree", str(repository / "docs"), "--format", "json").stdout)


def test_each_records_history_is_what_kaderpers_diff_reports_between_consecutive_tags(versioned) -> None:  # noqa: ANN001
    repository, html, _ = versioned
    # The oracle: kaderpers diff between consecutive tags, followed across renames by path.
    history: dict[str, list[tuple[str, str]]] = {uri.removesuffix(".html"): [] for uri in pages_at(repository, TAGS[0])}
    expected_per_tag = {TAGS[0]: dict(history)}
    for old, new in zip(TAGS, TAGS[1:], strict=False):
        diff = diff_json(repository, old, new)
        following: dict[str, list[tuple[str, str]]] = {}
        renamed = {item["path"]: item["old_path"] for item in diff["renamed"]}
        for uri in pages_at(repository, new):
            path = uri.removesuffix(".html")
            following[path] = list(history.get(_docname(renamed.get(path + ".md", path + ".md")), []))
        for change in ("added", "changed", "renamed"):
            for item in diff[change]:
                path = _docname(item["path"])
                following[path] = [] if change == "added" else following[path]
                following[path].append((new, change))
        history = following
        expected_per_tag[new] = dict(history)
    assert any(entries for entries in expected_per_tag[TAGS[-1]].values()), "the oracle found no change at all"
    checked = 0
    for tag in TAGS:
        for path, entries in expected_per_tag[tag].items():
            page = html / tag / f"{path}.html"
            line = soup_of(page).select_one("p.kp-record-history")
            if not RECORD_PAGE.match(path):
                assert line is None
                continue
            shown = _history_of(line.get_text(" ", strip=True))
            assert shown == sorted(entries, key=_by_change), f"{tag} {path}: {line.get_text()}"
            checked += 1
    assert checked >= 40  # about ten records in each of four releases
    kader = json.loads((html / "v2.0.0" / "kader.json").read_text("utf-8"))
    record = next(item for item in kader["records"] if item["id"] == "urn:nl:ak:mtr:pba-01")
    assert record["history"] == [{"release": "v1.2.0", "changes": ["renamed"]}]


def _docname(path: str) -> str:
    return path.removeprefix("docs/").removesuffix(".md")


def _by_change(entry: tuple[str, str]) -> tuple[int, str]:
    return (("added", "changed", "renamed").index(entry[1]), entry[0])


def _history_of(text: str) -> list[tuple[str, str]]:
    """("v1.1.0", "changed"), ... from "Al in v1.0.0 · gewijzigd in v1.1.0, v1.2.0 · hernoemd in v1.2.0"."""
    words = {"nieuw in": "added", "gewijzigd in": "changed", "hernoemd in": "renamed"}
    found = []
    for part in text.split(" · "):
        lead, _, releases = part.lower().partition(" in ")
        kind = words.get(f"{lead} in")
        if kind:
            found += [(release.strip(), kind) for release in releases.split(",")]
    return sorted(found, key=_by_change)


def test_the_history_links_to_the_entry_on_that_releases_wijzigingen_page(versioned) -> None:  # noqa: ANN001
    _, html, _ = versioned
    page = html / "v2.0.0" / RENAMED_NEW.removeprefix("docs/").replace(".md", ".html")
    links = soup_of(page).select("p.kp-record-history a")
    assert [link.get_text() for link in links] == ["v1.2.0"]
    target, _, fragment = links[0]["href"].partition("#")
    changes = (page.parent / target).resolve()
    assert changes == (html / "v1.2.0" / "wijzigingen" / "index.html").resolve()
    entry = soup_of(changes).find(id=fragment)
    assert entry is not None and "Beschrijf" in entry.get_text()
    intro = soup_of(changes).select_one(".kp-changes > p").get_text()
    assert "sinds v1.1.0" in intro
    assert "KPI" in soup_of(changes).get_text()  # the glossary part names the new term


def test_the_citation_names_release_id_and_title(versioned) -> None:  # noqa: ANN001
    repository, html, _ = versioned
    for tag in (TAGS[0], TAGS[-1]):
        for uri, meta in pages_at(repository, tag).items():
            if not meta.get("id"):
                continue
            citation = soup_of(html / tag / uri).select_one("p.kp-record-citation").get_text(" ", strip=True)
            assert citation.startswith(f"Citeer: Algoritmekader {tag},") and meta["id"] in citation and meta["title"] in citation


def test_the_id_page_of_each_release_resolves_every_id(versioned, page) -> None:  # noqa: ANN001
    repository, html, _ = versioned
    base = serve(html)
    for number, tag in enumerate(TAGS):
        ids = {meta["id"]: uri for uri, meta in pages_at(repository, tag).items() if meta.get("id")}
        assert len(ids) >= 8  # the small tree has nine records with an id
        listing = soup_of(html / tag / "id" / "index.html").select(".kp-id-list li")
        found = {item.select_one(".kp-record-id").get_text(): (html / tag / "id" / item.select_one("a")["href"]).resolve() for item in listing}
        assert found == {key: (html / tag / uri).resolve() for key, uri in ids.items()}
        # In the browser, two ids of each release, a different pair each time (every page load costs Chromium 0.3 CPU-s).
        for key in sorted(ids)[2 * number : 2 * number + 2]:
            page.goto(f"{base}/{tag}/id/index.html#{key}")
            page.wait_for_url(re.compile(re.escape(ids[key]) + "$"))


def test_switching_releases_keeps_the_record_across_a_rename_and_the_banner_leads_to_the_newest(versioned, page) -> None:  # noqa: ANN001
    _, html, _ = versioned
    base = serve(html)
    old_uri, new_uri = (path.removeprefix("docs/").replace(".md", ".html") for path in (RENAMED_OLD, RENAMED_NEW))
    page.goto(f"{base}/v1.1.0/{old_uri}")
    banner = page.locator(".kp-version-old")
    banner.wait_for()
    newest = banner.locator("a.kp-version-newest")
    page.wait_for_function("uri => document.querySelector('a.kp-version-newest').href.endsWith('/v2.0.0/' + uri)", arg=new_uri)
    assert newest.get_attribute("href").endswith(f"/v2.0.0/{new_uri}")
    select = page.locator(".bd-header .kp-version-select")
    assert select.is_visible()
    assert select.input_value() == "v1.1.0"
    select.select_option("v2.0.0")
    page.wait_for_url(f"{base}/v2.0.0/{new_uri}")
    assert page.locator(".kp-version-old").count() == 0
    # A record the newer release removed: its home page, with a notice.
    removed = REMOVED.removeprefix("docs/").replace(".md", ".html")
    page.goto(f"{base}/v1.2.0/{removed}")
    page.locator(".bd-header .kp-version-select").select_option("v2.0.0")
    page.wait_for_url(re.compile(r"/v2\.0\.0/index\.html#kp-niet-in-versie$"))
    page.locator(".kp-version-not-found").wait_for()


def test_adding_a_release_builds_only_that_one(versioned, tmp_path: Path) -> None:  # noqa: ANN001
    repository, html, _ = versioned
    changed = repository / CHANGED
    changed.write_text(changed.read_text("utf-8") + "\nNog een zin.\n", "utf-8")
    commit(repository, "nog een versie", "v2.1.0")
    out = html.parent
    result = run_kaderpers("build", str(repository / "docs"), "--out", str(out), "--versions", "v*")
    notes = dict(re.findall(r"\] (v[\d.]+): (built|reused)", result.stderr))
    assert notes == {"v1.0.0": "reused", "v1.1.0": "reused", "v1.2.0": "reused", "v2.0.0": "reused", "v2.1.0": "built"}, result.stderr[-2000:]
    assert json.loads((out / "html" / "versions.json").read_text("utf-8"))["latest"] == "v2.1.0"
    assert (out / "html" / "latest" / "index.html").stat().st_ino == (out / "html" / "v2.1.0" / "index.html").stat().st_ino


def test_no_release_and_no_repository_are_one_clear_line(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    shutil.copytree(CONTENT, tree)
    result = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), "--versions", "v*", check=False)
    assert result.returncode == 1
    assert "is not in a git repository" in result.stderr and "Traceback" not in result.stderr
    git(tmp_path, "init", "-q")
    commit(tmp_path, "kader")
    result = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), "--versions", "v*", check=False)
    assert result.returncode == 1 and "no tag matches `v*`" in result.stderr and "Traceback" not in result.stderr


def test_an_older_release_page_with_its_banner_and_switcher_has_no_axe_violations(versioned, page) -> None:  # noqa: ANN001
    from test_browser_site import AXE, WCAG_21_AA, describe

    _, html, _ = versioned
    page.goto(f"{serve(html)}/v1.2.0/{CHANGED.removeprefix('docs/').replace('.md', '.html')}")
    page.locator(".kp-version-old a.kp-version-newest").wait_for()
    page.locator(".bd-header .kp-version-switcher").wait_for()
    page.evaluate(AXE.read_text("utf-8") + "\n;0")
    violations = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)["violations"]
    assert violations == [], describe(violations)


def test_each_releases_pdf_edition_names_its_release_and_each_records_history(versioned, tmp_path: Path) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    from conftest import comparable, own_print_cache
    from pdf_text import page_texts

    repository, _, _ = versioned
    out = tmp_path / "out"
    with own_print_cache():  # without KADERPERS_PRINT_CACHE, as a user runs it
        run_kaderpers("build", str(repository / "docs"), "--out", str(out), "--versions", f"{TAGS[0]},{TAGS[1]}", "--pdf", "-j", "2")
    # The releases share one print cache (their diagrams are the same), and keep none of their own.
    assert any(path.name.startswith("mermaid-") for path in (out / ".versions" / "pdf-cache" / "images").iterdir())
    assert not list((out / ".versions").glob("builds/*/pdf-cache"))
    for tag in TAGS[:2]:
        reader = PdfReader(out / "pdf" / tag / "algoritmekader.pdf")
        assert reader.metadata.title.endswith(f" {tag}")
        assert comparable(f"Versie {tag}") in comparable(page_texts(out / "pdf" / tag / "algoritmekader.pdf")[0])
    text = comparable(" ".join(page_texts(out / "pdf" / TAGS[1] / "algoritmekader.pdf")))
    assert comparable(f"Al in {TAGS[0]} · gewijzigd in {TAGS[1]}") in text
    assert comparable(f"Citeer: Algoritmekader {TAGS[1]}, maatregel urn:nl:ak:mtr:org-02") in text
