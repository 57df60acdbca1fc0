"""What the README promises about the command line: ``build --strict``, silencing one kind of warning
with ``suppress_warnings``, the default CONTENT_DIR, ``--pdf`` and ``--handouts`` each on their own, and handouts by name.

Most of it on a tree of five pages with one error and one warning in it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

import testing
from conftest import CONTENT, KADERPERS, REPO, make_tree, run_kaderpers

V = "voldoen-aan-wetten-en-regels"
DANGLING = "bestaat-niet-99"
RECORD = "---\ntitle: {title}\nid: urn:nl:ak:{code}\nlevenscyclus:\n- ontwerp\n{extra}---\n\n# {title}\n\nTekst van {title}.\n"
FILES = {
    "index.md": "---\ntitle: Proefkader\n---\n# Proefkader\n\nEen klein kader.\n",
    "levenscyclus/ontwerp.md": "---\ntitle: Fase 2, Ontwerp\n---\n# Ontwerp\n\n<!-- list_maatregelen levenscyclus/ontwerp -->\n",
    f"{V}/vereisten/avg-01-rechtmatig.md": RECORD.format(title="Verwerk rechtmatig", code="ver:avg-01", extra=""),
    # An error (a reference to a vereiste that does not exist) and a warning (an unknown key).
    f"{V}/maatregelen/2-owp-01-doel.md": RECORD.format(title="Beschrijf het doel", code="mtr:owp-01", extra=f"vereiste:\n- avg-01-rechtmatig\n- {DANGLING}\n"),
    f"{V}/maatregelen/2-owp-02-taken.md": RECORD.format(title="Verdeel de taken", code="mtr:owp-02", extra="vereiste:\n- avg-01-rechtmatig\nkleur: blauw\n"),
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tree(tmp_path_factory.mktemp("cli") / "tree", FILES)


def warnings_of(output: str) -> set[str]:
    """The kaderpers rules Sphinx warned about, from lines like ``file:3: WARNING: message [ref.dangling] [kaderpers.ref.dangling]``."""
    return set(re.findall(r"WARNING: .*\[kaderpers\.([\w.-]+)\]", output))


def sphinx_build(tree: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -c . CONTENT_DIR OUT`` as the README shows it (in this process: tests/testing.py)."""
    return testing.sphinx_build(["-b", "html", "-c", str(REPO), *options, str(tree), str(out)], cwd=REPO)


def test_build_reports_problems_and_strict_fails_on_them(tree: Path, tmp_path: Path) -> None:
    plain = run_kaderpers("build", str(tree), "--out", str(tmp_path / "plain"), check=False)
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert {"ref.dangling", "meta.unknown-key"} <= warnings_of(plain.stderr)
    assert (tmp_path / "plain" / "html" / V / "maatregelen" / "2-owp-01-doel.html").is_file()  # everything else published

    strict = run_kaderpers("build", str(tree), "--out", str(tmp_path / "strict"), "--strict", check=False)
    assert strict.returncode == 1
    named = [line for line in strict.stderr.splitlines() if "[kaderpers.ref.dangling]" in line]
    assert named and "2-owp-01-doel.md" in named[0] and DANGLING in named[0]


def test_strict_passes_a_tree_without_problems(tree: Path, tmp_path: Path) -> None:
    clean = make_tree(tmp_path / "clean", {**FILES, f"{V}/maatregelen/2-owp-01-doel.md": FILES[f"{V}/maatregelen/2-owp-01-doel.md"].replace(f"- {DANGLING}\n", ""),
                                           f"{V}/maatregelen/2-owp-02-taken.md": FILES[f"{V}/maatregelen/2-owp-02-taken.md"].replace("kleur: blauw\n", "")})  # fmt: skip
    result = run_kaderpers("build", str(clean), "--out", str(tmp_path / "out"), "--strict", check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not warnings_of(result.stderr)


def test_suppress_warnings_silences_one_subtype(tree: Path, tmp_path: Path) -> None:
    silenced = sphinx_build(tree, tmp_path / "silenced", "-W", "-D", "suppress_warnings=kaderpers.meta.unknown-key")
    assert warnings_of(silenced.stderr) == {"ref.dangling"}  # the other kind is still reported
    assert silenced.returncode == 1  # and still fails -W
    both = sphinx_build(tree, tmp_path / "both", "-W", "-D", "suppress_warnings=kaderpers.meta.unknown-key,kaderpers.ref.dangling")
    assert not warnings_of(both.stderr) and both.returncode == 0, both.stderr[-3000:]


def test_check_and_build_default_to_docs_or_the_bundled_content(tree: Path, tmp_path: Path) -> None:
    checked = run_kaderpers("check", check=False)  # in this repository, which has no docs/
    assert f"checked {CONTENT.resolve()}" in checked.stderr
    kader = tmp_path / "kader"
    (kader / "docs").parent.mkdir()
    (kader / "docs").symlink_to(tree, target_is_directory=True)
    checked = subprocess.run([*KADERPERS, "check"], capture_output=True, text=True, cwd=kader)
    assert "checked " in checked.stderr and f"checked {CONTENT.resolve()}" not in checked.stderr and DANGLING in checked.stdout
    # The build is stopped once Sphinx says what it reads: that is all this test needs.
    build = subprocess.Popen(
        [*KADERPERS, "build", "--out", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=tmp_path, env=dict(os.environ, NO_COLOR="1"), start_new_session=True,
    )  # fmt: skip
    seen = []
    try:
        assert build.stdout is not None
        for line in build.stdout:
            seen.append(line)
            if line.startswith("updating environment"):
                break
    finally:
        os.killpg(build.pid, signal.SIGKILL)
        build.wait()
    output = "".join(seen)
    pages = [p for p in CONTENT.rglob("*.md") if not p.relative_to(CONTENT).as_posix().startswith(("includes/", "templates/"))]
    assert f"HTML site → {tmp_path / 'out' / 'html'}" in output
    assert re.search(rf"updating environment: \[new config\] {len(pages)} added", output), output[-2000:]
    assert "kaderpers: no" not in output


@pytest.mark.pdf
@pytest.mark.parametrize(("option", "edition", "handouts"), [("--pdf", True, False), ("--handouts", False, True)])
def test_pdf_and_handouts_each_on_their_own(tree: Path, tmp_path: Path, option: str, edition: bool, handouts: bool) -> None:
    result = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), option, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    pdf = tmp_path / "out" / "pdf"
    assert (tmp_path / "out" / "html" / "index.html").is_file()  # the site comes with either
    assert (pdf / "algoritmekader.pdf").is_file() == edition
    assert sorted(p.name for p in pdf.glob("handouts/*.pdf")) == (["ontwerp.pdf"] if handouts else [])


ROLES_AND_PHASES = {
    **FILES,
    "levenscyclus/ontwikkelen.md": "---\ntitle: Fase 3, Ontwikkelen\n---\n# Ontwikkelen\n",
    "rollen/index.md": "# Rollen\n",
    "rollen/jurist.md": "---\ntitle: Jurist\n---\n# Jurist\n",
    "rollen/ontwikkelaar.md": "---\ntitle: Ontwikkelaar\n---\n# Ontwikkelaar\n",
}


@pytest.mark.pdf
def test_handouts_by_name_writes_those_and_no_other(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree", ROLES_AND_PHASES)
    result = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), "--no-html", "--handouts", "ontwikkelen,rollen/jurist", "-j", "1")
    written = sorted(path.relative_to(tmp_path / "out" / "pdf").as_posix() for path in (tmp_path / "out" / "pdf").rglob("*.pdf"))
    assert written == ["handouts/ontwikkelen.pdf", "handouts/rollen/jurist.pdf"]
    # A tree this small is laid out by one process, which brings the environment up to date itself.
    assert "kaderpers-pdf: ontwikkelen,rollen/jurist in 1 process(es)" in result.stderr
    assert "bringing the environment up to date" not in result.stderr


@pytest.mark.pdf
def test_a_pdf_only_build_into_an_empty_folder_on_two_processes_reads_the_tree_first(tmp_path: Path) -> None:
    """No site build and no saved environment, and a tree large enough for two PDF processes: the tree
    is read before they start. Each of them only reads the environment it is given (a process that
    is one of several never reads changed pages), so unread, they would have nothing to lay out."""
    from conftest import comparable
    from kaderpers.pdf.orchestrate import SPLIT_FROM_PAGES
    from pdf_text import text as pdf_words

    topics = {f"onderwerpen/onderwerp-{number:02d}.md": f"# Onderwerp {number}\n" for number in range(SPLIT_FROM_PAGES)}
    tree = make_tree(tmp_path / "tree", {**ROLES_AND_PHASES, **topics})
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), "--no-html", "--handouts", "ontwerp,rollen/jurist", check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "kaderpers-pdf: ontwerp,rollen/jurist in 2 process(es)" in result.stderr
    assert not (out / "html").exists()
    phase = comparable(pdf_words(out / "pdf" / "handouts" / "ontwerp.pdf"))
    assert comparable("Beschrijf het doel") in phase and comparable("Verdeel de taken") in phase
    assert comparable("Jurist") in comparable(pdf_words(out / "pdf" / "handouts" / "rollen" / "jurist.pdf"))


@pytest.mark.parametrize(
    ("kinds", "pages", "processes"),
    [
        (("edition",), 250, 1),
        (("edition", "handouts"), 250, 2),
        (("fasen",), 250, 2),
        (("rollen/jurist",), 250, 1),  # one document
        (("edition", "rollen/jurist"), 250, 2),
        (("ontwerp,rollen/jurist",), 250, 2),
        (("edition", "handouts"), 29, 1),  # a small tree
        (("edition", "handouts"), 0, 2),  # size unknown
    ],
)
def test_pdf_processes_by_documents_and_tree_size(kinds: tuple[str, ...], pages: int, processes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from kaderpers.pdf.orchestrate import PdfJob, process_count

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)  # two cores, as on CI
    assert process_count(PdfJob(kinds, Path("pdf"), list, environment_ready=True, pages=pages)) == processes


def test_a_handout_the_tree_lacks_stops_the_build_with_the_names_it_has(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree", ROLES_AND_PHASES)
    result = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), "--handouts", "rollen/jurist,rollen/piloot", check=False)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("kaderpers: --handouts rollen/piloot: "), message  # only the name the tree lacks
    listed = message.split("its handouts are: ")[1].split(", ")
    assert sorted(listed) == ["ontwerp", "ontwikkelen", "rollen/jurist", "rollen/ontwikkelaar"]
    assert not (tmp_path / "out").exists()  # nothing built
    wrong = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), "--handouts", "edition", check=False)
    assert wrong.returncode == 2 and "names no handouts" in wrong.stderr


def test_isolated_never_runs_the_trees_conf_py(tmp_path: Path) -> None:
    """A conf.py beside a tree is Python; ``--isolated`` builds such a tree (a pull request) without running it."""
    ran = tmp_path / "conf-py-ran"
    conf = f"from pathlib import Path\nPath({str(ran)!r}).write_text('ja')\nextensions = ['kaderpers']\nhtml_title = 'Eigen titel'\n"
    tree = make_tree(tmp_path / "tree", {**FILES, "conf.py": conf})
    isolated = run_kaderpers("build", str(tree), "--out", str(tmp_path / "isolated"), "--isolated")
    assert not ran.exists()
    assert f"--isolated: {tree / 'conf.py'} is not run" in isolated.stderr
    assert (tmp_path / "isolated" / "html" / V / "maatregelen" / "2-owp-02-taken.html").is_file()
    trusted = run_kaderpers("build", str(tree), "--out", str(tmp_path / "trusted"))
    assert ran.read_text() == "ja" and f"configuration: {tree / 'conf.py'}" in trusted.stderr  # without it, the tree's conf.py is used
