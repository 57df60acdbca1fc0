"""`kaderpers diff`: pages added, removed, renamed and changed between two versions of a tree.

The old version is a copy of a real tree; the new one is that copy with known edits,
and the JSON the command prints is compared with the edits, exactly. Titles and
front matter are read with python-frontmatter here, not with kaderpers' model.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import frontmatter
import pytest
import yaml

from conftest import CONTENT, KADERPERS, REPO, child_env, run_kaderpers

VEREISTEN = "voldoen-aan-wetten-en-regels/vereisten"
MAATREGELEN = "voldoen-aan-wetten-en-regels/maatregelen"
HULPMIDDELEN = "voldoen-aan-wetten-en-regels/hulpmiddelen"


#: The vocabulary and glossary parts of a diff in which neither changed.
UNCHANGED_WORDS = {"vocabulary": {"added": [], "removed": [], "changed": []}, "glossary": {"added": [], "removed": [], "changed": []}}


def diff_json(old: str | Path, new: Path) -> dict:
    result = run_kaderpers("diff", str(old), str(new), "--format", "json")
    return json.loads(result.stdout)


def read(path: Path) -> frontmatter.Post:
    return frontmatter.loads(path.read_text("utf-8"))


def write(path: Path, post: frontmatter.Post) -> None:
    path.write_text(frontmatter.dumps(post, sort_keys=False, allow_unicode=True) + "\n", encoding="utf-8")


def files(tree: Path, folder: str) -> list[Path]:
    return sorted(p for p in (tree / folder).glob("*.md") if p.name != "index.md")


class Edits:
    """Known edits to a copy of a tree, and the JSON `kaderpers diff` must give for them."""

    def __init__(self, tree: Path):
        self.tree = tree
        self.expected: dict[str, list] = {"added": [], "removed": [], "renamed": [], "changed": []}

    def relative(self, path: Path) -> str:
        return path.relative_to(self.tree).as_posix()

    def add(self, folder: str, stem: str, meta: dict, body: str) -> None:
        path = self.tree / folder / f"{stem}.md"
        write(path, frontmatter.Post(body, **meta))
        self.expected["added"].append({"id": meta.get("id"), "path": self.relative(path), "title": meta["title"]})

    def remove(self, path: Path) -> None:
        post = read(path)
        self.expected["removed"].append({"id": post.get("id"), "path": self.relative(path), "title": post["title"]})
        path.unlink()

    def rename(self, path: Path, stem: str) -> Path:
        post = read(path)
        target = path.with_name(f"{stem}.md")
        path.rename(target)
        self.expected["renamed"].append({"id": post.get("id"), "path": self.relative(target), "old_path": self.relative(path), "title": post["title"]})
        return target

    def change(self, path: Path, fields: list[dict], text: bool, edit) -> None:
        post = read(path)
        edit(post)
        write(path, post)
        self.expected["changed"].append({"id": post.get("id"), "path": self.relative(path), "title": post["title"], "fields": fields, "text": text})

    def result(self) -> dict:
        return {**{key: sorted(items, key=lambda item: item["path"]) for key, items in self.expected.items()}, **UNCHANGED_WORDS}


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old" / "docs", tmp_path / "new" / "docs"
    shutil.copytree(CONTENT, old)
    shutil.copytree(CONTENT, new)
    return old, new


def test_identical_trees_differ_in_nothing(trees: tuple[Path, Path]) -> None:
    old, new = trees
    assert diff_json(old, new) == {"added": [], "removed": [], "renamed": [], "changed": [], **UNCHANGED_WORDS}


def make_edits(new: Path) -> Edits:
    edits = Edits(new)
    vereisten, maatregelen, hulpmiddelen = files(new, VEREISTEN), files(new, MAATREGELEN), files(new, HULPMIDDELEN)
    edits.add(
        MAATREGELEN,
        "9-zzz-01-nieuwe-maatregel",
        {"title": "Een nieuwe maatregel", "id": "urn:nl:ak:mtr:zzz-01", "vereiste": [vereisten[0].stem]},
        "Nieuwe tekst.\n",
    )
    edits.remove(vereisten[-1])
    # A record with an id keeps it across a rename; one without (a hulpmiddel) keeps its title.
    edits.rename(maatregelen[1], "0-org-99-andere-naam")
    edits.rename(hulpmiddelen[0], "andere-naam")

    # Fields: title, a relation (one added, one removed), a label, a phase, sources, a new key.
    target = maatregelen[2]
    before = read(target)
    old_vereisten = list(before["vereiste"])
    new_vereisten = [*old_vereisten[1:], vereisten[0].stem] if vereisten[0].stem not in old_vereisten else old_vereisten[1:]
    old_phases = list(before["levenscyclus"])
    new_phases = [*old_phases, "uitfaseren"] if "uitfaseren" not in old_phases else old_phases[:-1]

    def edit_fields(post: frontmatter.Post) -> None:
        post["title"] = "Een andere titel"
        post["vereiste"] = new_vereisten
        post["levenscyclus"] = new_phases
        post["version"] = "2.6"

    fields = [
        {"field": "title", "old": before["title"], "new": "Een andere titel"},
        {
            "field": "levenscyclus",
            "old": old_phases,
            "new": new_phases,
            "added": [p for p in new_phases if p not in old_phases],
            "removed": [p for p in old_phases if p not in new_phases],
        },
        {
            "field": "vereiste",
            "old": old_vereisten,
            "new": new_vereisten,
            "added": [v for v in new_vereisten if v not in old_vereisten],
            "removed": [v for v in old_vereisten if v not in new_vereisten],
        },
        {"field": "version", "old": None, "new": "2.6"},
    ]
    # In the order of the new front matter: python-frontmatter keeps the keys' order, new keys last.
    order = [k for k in read_keys_after(target, edit_fields) if k in {"levenscyclus", "vereiste", "version"}]
    fields = [fields[0], *sorted(fields[1:], key=lambda f: order.index(f["field"]))]
    edits.change(target, fields, False, edit_fields)

    # Text only, and the same words in another order in a list field: not a change.
    text_target = vereisten[1]
    edits.change(text_target, [], True, lambda post: setattr(post, "content", post.content.replace("\n\n", "\n\nEen ingevoegde zin.\n\n", 1)))
    reorder = maatregelen[3]
    post = read(reorder)
    post["rollen"] = list(reversed(post["rollen"]))
    write(reorder, post)
    # A label of the AI-verordening, on a vereiste.
    label_target = next(p for p in vereisten[2:-1] if read(p).get("risicogroep"))
    labels = list(read(label_target)["risicogroep"])
    extra = next(v for v in ("verboden-ai", "hoog-risico-ai-systeem", "geen-hoog-risico-ai-systeem") if v not in labels)
    edits.change(
        label_target,
        [{"field": "risicogroep", "old": labels, "new": [*labels, extra], "added": [extra], "removed": []}],
        False,
        lambda post: post.__setitem__("risicogroep", [*labels, extra]),
    )
    # A taxonomy page and an ordinary page are compared too.
    edits.change(new / "levenscyclus" / "ontwerp.md", [], True, lambda post: setattr(post, "content", post.content + "\nNog een alinea.\n"))
    return edits


BUNDLED_VOCABULARY = REPO / "extensions" / "kaderpers" / "data" / "vocabulaire.yml"
GLOSSARY_LINE = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<definition>.*?)\s*$")


def edit_vocabulary(tree: Path) -> dict:
    """Give ``tree`` a vocabulaire.yml with a category removed, one relabelled and one added, and a
    risicogroep added; returns the "vocabulary" part of the diff's JSON."""
    vocabulary = yaml.safe_load(BUNDLED_VOCABULARY.read_text("utf-8"))
    own = tree / "vocabulaire.yml"
    if own.is_file():
        vocabulary.update(yaml.safe_load(own.read_text("utf-8")))
    categorie = dict(vocabulary["categorie"])
    gone, relabelled = list(categorie)[:2]
    labels = {field: dict(values) for field, values in vocabulary["labels"].items()}
    old_label = categorie[relabelled]
    del categorie[gone]
    categorie[relabelled] = "Een andere naam"
    categorie["zzz-nieuw"] = "Nieuwe categorie"
    labels["risicogroep"]["zzz-nieuw-risico"] = "Nieuw risico"
    own.write_text(yaml.safe_dump({"labels": labels, "categorie": categorie}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {
        "added": [
            {"field": "categorie", "value": "zzz-nieuw", "label": "Nieuwe categorie"},
            {"field": "risicogroep", "value": "zzz-nieuw-risico", "label": "Nieuw risico"},
        ],
        "removed": [{"field": "categorie", "value": gone, "label": vocabulary["categorie"][gone]}],
        "changed": [{"field": "categorie", "value": relabelled, "old": old_label, "new": "Een andere naam"}],
    }


def edit_glossary(path: Path) -> dict:
    """Redefine the first term of a glossary, remove the second and add one; returns the "glossary" part of the diff's JSON."""
    lines = path.read_text("utf-8").splitlines()
    terms = [(number, match) for number, line in enumerate(lines) if (match := GLOSSARY_LINE.match(line.strip()))]
    (first, redefined), (second, removed) = terms[:2]
    lines[first] = f"*[{redefined['term']}]: Een nieuwe omschrijving."
    del lines[second]
    lines.append("*[ZZZ]: Een nieuwe term.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "added": [{"term": "ZZZ", "definition": "Een nieuwe term."}],
        "removed": [{"term": removed["term"], "definition": removed["definition"]}],
        "changed": [{"term": redefined["term"], "old": redefined["definition"], "new": "Een nieuwe omschrijving."}],
    }


def edit_words(tree: Path) -> dict:
    """The vocabulary and glossary of a copy of content/ edited; returns their part of the diff's JSON."""
    return {"vocabulary": edit_vocabulary(tree), "glossary": edit_glossary(tree / "includes" / "begrippenlijst.md")}


def test_vocabulary_and_glossary_changes_give_exactly_this_json(trees: tuple[Path, Path], tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    old, new = trees
    edits = make_edits(new)
    words = edit_words(new)
    assert diff_json(old, new) == {**edits.result(), **words}
    text = run_kaderpers("diff", str(old), str(new)).stdout.splitlines()
    assert "vocabulaire: 2 added, 1 removed, 1 changed" in text and "begrippenlijst: 1 added, 1 removed, 1 changed" in text
    changed = words["vocabulary"]["changed"][0]
    assert f"~ categorie/{changed['value']}  {changed['old']} → {changed['new']}" in text
    assert "+ ZZZ  Een nieuwe term." in text
    run_kaderpers("diff", str(old), str(new), "--format", "html", "--out", str(tmp_path / "out"))
    page = BeautifulSoup((tmp_path / "out" / "wijzigingen.html").read_text("utf-8"), "html.parser")
    for part, name in (("vocabulaire", "value"), ("begrippenlijst", "term")):
        rows = page.find(id=f"wijzigingen-{part}").select("tbody tr")
        expected = words["vocabulary" if part == "vocabulaire" else "glossary"]
        assert [row.select_one("code, .literal").get_text() for row in rows] == [
            item[name] for change in ("added", "removed", "changed") for item in expected[change]
        ]
    removed = words["glossary"]["removed"][0]
    assert removed["definition"] in [span.get_text() for span in page.select("#wijzigingen-begrippenlijst .kp-del")]


def read_keys_after(path: Path, edit) -> list[str]:
    post = read(path)
    edit(post)
    return list(post.keys())


def test_known_edits_give_exactly_this_json(trees: tuple[Path, Path]) -> None:
    old, new = trees
    edits = make_edits(new)
    assert diff_json(old, new) == edits.result()


def git_in(repository: Path):
    """Run git in ``repository`` with an author set."""
    command = ["git", "-C", str(repository), "-c", "user.email=test@example.org", "-c", "user.name=test"]
    return lambda *arguments: subprocess.run([*command, *arguments], capture_output=True, text=True, check=True).stdout


def test_old_version_from_git_without_checking_it_out(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    tree = repository / "docs"
    shutil.copytree(CONTENT, tree)
    git = git_in(repository)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "old")
    edits = make_edits(tree)
    git("add", "-A")
    git("commit", "-qm", "new")
    assert diff_json("git:HEAD~1", tree) == edits.result()
    # An edit not committed yet: git:HEAD is read from git, the folder as it is now.
    home = tree / "index.md"
    home.write_text(home.read_text("utf-8") + "\nNog niet vastgelegd.\n", encoding="utf-8")
    status = git("status", "--porcelain")
    title = read(home)["title"]
    assert diff_json("git:HEAD", tree) == {
        "added": [],
        "removed": [],
        "renamed": [],
        "changed": [{"id": None, "path": "index.md", "title": title, "fields": [], "text": True}],
        **UNCHANGED_WORDS,
    }
    assert git("status", "--porcelain") == status


def kaderpers_in(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KADERPERS, *arguments], capture_output=True, text=True, cwd=folder, env=child_env())


@pytest.fixture
def releases(tmp_path: Path) -> tuple[Path, Edits]:
    """A repository whose docs/ is content/ at tag v1 and content/ with the known edits at tag v2;
    v0 has no tree yet, and the working folder holds an edit not committed (the diff must not see it)."""
    repository = tmp_path / "repo"
    repository.mkdir()
    git = git_in(repository)
    git("init", "-q")
    (repository / "README.md").write_text("Nog geen kader.\n", encoding="utf-8")
    git("add", "-A")
    git("commit", "-qm", "no tree yet")
    git("tag", "v0")
    tree = repository / "docs"
    shutil.copytree(CONTENT, tree)
    git("add", "-A")
    git("commit", "-qm", "v1")
    git("tag", "v1")
    edits = make_edits(tree)
    git("add", "-A")
    git("commit", "-qm", "v2")
    git("tag", "v2")
    (tree / "index.md").write_text("---\ntitle: Niet vastgelegd\n---\n", encoding="utf-8")
    return repository, edits


def test_both_versions_from_git(releases: tuple[Path, Edits]) -> None:
    repository, edits = releases
    status = git_in(repository)("status", "--porcelain")
    tree = repository / "docs"
    # From the repository (its docs/), from inside the tree, and from anywhere with --tree.
    for result in (
        kaderpers_in(repository, "diff", "git:v1", "git:v2", "--format", "json"),
        kaderpers_in(tree / "levenscyclus", "diff", "git:v1", "git:v2", "--format", "json", "--tree", ".."),
        run_kaderpers("diff", "git:v1", "git:v2", "--format", "json", "--tree", str(tree)),
    ):
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == edits.result()
    backwards = json.loads(kaderpers_in(tree, "diff", "git:v2", "git:v1", "--format", "json").stdout)
    assert [item["path"] for item in backwards["added"]] == [item["path"] for item in edits.result()["removed"]]
    text = kaderpers_in(repository, "diff", "git:v1", "git:v2").stdout
    assert text.startswith(f"git:v1 → git:v2: {len(edits.expected['added'])} added")
    assert git_in(repository)("status", "--porcelain") == status  # nothing checked out


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1 and not result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kaderpers: "), result.stderr
    return lines[0]


def test_git_versions_fail_with_one_clear_line(releases: tuple[Path, Edits], tmp_path: Path) -> None:
    repository, _ = releases
    plain = tmp_path / "plain"
    shutil.copytree(CONTENT / "levenscyclus", plain)
    assert "is not in a git repository" in one_line_error(kaderpers_in(plain, "diff", "git:v1", "git:v2"))
    assert "is not in a git repository" in one_line_error(run_kaderpers("diff", str(CONTENT), "git:v2", "--tree", str(plain), check=False))
    assert "`v9` is not a revision of" in one_line_error(kaderpers_in(repository, "diff", "git:v1", "git:v9"))
    assert "`v9` is not a revision of" in one_line_error(kaderpers_in(repository, "diff", "git:v9", "git:v1"))
    for old, new in (("git:v0", "git:v2"), ("git:v2", "git:v0")):
        assert "`v0` has no kader tree at docs/" in one_line_error(kaderpers_in(repository, "diff", old, new))


def test_a_revision_that_does_not_exist_is_one_clear_message(tmp_path: Path) -> None:
    result = run_kaderpers("diff", "git:no-such-tag", str(CONTENT), check=False)
    assert result.returncode != 0
    assert "git:no-such-tag" in result.stderr and "Traceback" not in result.stderr
    bad = run_kaderpers("diff", "git:--output=/tmp/x", str(CONTENT), check=False)
    assert bad.returncode != 0 and "names no revision" in bad.stderr


def test_text_output_marks_words(trees: tuple[Path, Path]) -> None:
    old, new = trees
    target = files(new, MAATREGELEN)[0]
    post = read(target)
    words = post.content.split()
    word = next(w for w in words if w.isalpha() and len(w) > 6)
    post.content = post.content.replace(word, "VERVANGEN", 1)
    write(target, post)
    output = run_kaderpers("diff", str(old), str(new)).stdout
    assert "0 added, 0 removed, 0 renamed, 1 changed" in output
    assert f"[-{word}-] {{+VERVANGEN+}}" in output


def test_real_tree_against_a_copy_with_known_edits(upstream_tree: Path, tmp_path: Path) -> None:
    project = tmp_path / "kader"
    shutil.copytree(upstream_tree.parent, project)
    for path in [project, *project.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)  # the shared copy is read-only
    new = project / "docs"
    glossary = edit_glossary(project / "includes" / "begrippenlijst.md")
    edits = Edits(new)
    maatregelen, hulpmiddelen = files(new, MAATREGELEN), files(new, HULPMIDDELEN)
    edits.remove(files(new, VEREISTEN)[0])
    edits.rename(maatregelen[0], "0-org-00-hernoemd")
    edits.add(HULPMIDDELEN, "nieuw-hulpmiddel", {"title": "Nieuw hulpmiddel", "maatregel": [maatregelen[1].stem]}, "Tekst.\n")
    # Codes that YAML reads as text (`ARK: 1.10` would be written back as 1.1).
    target = next(
        p
        for p in maatregelen[2:]
        if isinstance(read(p).get("sources"), dict)
        and all(isinstance(c, str) for v in read(p)["sources"].values() for c in (v if isinstance(v, list) else [v]))
    )
    sources = read(target)["sources"]
    framework = next(iter(sources))
    codes = sources[framework] if isinstance(sources[framework], list) else [sources[framework]]
    new_sources = {**sources, framework: [*map(str, codes), "ZZ.99"]}
    old_plain = {k: [str(c) for c in (v if isinstance(v, list) else [v])] for k, v in sources.items()}
    new_plain = {k: [str(c) for c in v] if isinstance(v, list) else [str(v)] for k, v in new_sources.items()}
    edits.change(
        target,
        [{"field": "sources", "old": old_plain, "new": new_plain, "added": [f"{framework}: ZZ.99"], "removed": []}],
        False,
        lambda post: post.__setitem__("sources", new_sources),
    )
    hulpmiddel = hulpmiddelen[2]
    edits.change(hulpmiddel, [], True, lambda post: setattr(post, "content", post.content + "\nExtra zin.\n"))
    assert diff_json(upstream_tree, new) == {**edits.result(), "glossary": glossary}


def test_html_output_is_a_page_of_its_own(trees: tuple[Path, Path], tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    old, new = trees
    edits = make_edits(new)
    run_kaderpers("diff", str(old), str(new), "--format", "html", "--out", str(tmp_path / "out"))
    page = BeautifulSoup((tmp_path / "out" / "wijzigingen.html").read_text("utf-8"), "html.parser")
    assert page.html["lang"] == "nl" and page.style is not None and not page.select("script, link[rel=stylesheet]")
    expected = edits.result()
    for change in ("added", "removed", "renamed", "changed"):
        for item in expected[change]:
            box = page.find(id=f"{change}-" + item["path"].removesuffix(".md").replace("/", "-").lower())
            assert box is not None and item["title"] in box.get_text(" ")
    assert "Een ingevoegde zin." in [span.get_text() for span in page.select(".kp-ins")]
