"""kaderpers as a tool: a wheel that works in any folder, and a conf.py that names only the extension.

The wheel is built and installed without network: no build isolation, and a
fresh virtual environment whose dependencies come from the test run's own
environment through a ``.pth`` file. What the wheel and the extension alone build is compared
with the session's build of content/ (``content_site``), which other modules read too: neither
property depends on the size of the tree.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import frontmatter
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import CONTENT, REPO, make_tree
from small_content import small_content

#: Overview pages whose tables both builds must agree on (relative to the site).
OVERVIEWS = (
    "voldoen-aan-wetten-en-regels/vereisten/index.html",
    "voldoen-aan-wetten-en-regels/maatregelen/index.html",
    "voldoen-aan-wetten-en-regels/hulpmiddelen/index.html",
    "levenscyclus/ontwerp.html",
)
#: What a build copies into every site from the package.
PACKAGE_STATIC = ("_static/kader-tables.js", "_static/kader-tables.css", "_static/kaderpers.css", "_static/logo.svg")
MERMAID = "_static/kaderpers/mermaid.min.js"


def table_rows(page: Path) -> list[list[list[str]]]:
    """Per kader table on the page, its rows as the text of their cells."""
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    return [
        [[" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"])] for row in table.find_all("tr")]
        for table in soup.select("table.kp-table")
    ]


def assert_same_tables(site: Path, reference: Path) -> None:
    total = 0
    for overview in OVERVIEWS:
        rows = table_rows(site / overview)
        assert rows and all(len(table) > 1 for table in rows), f"{overview}: no kader table with records"
        assert rows == table_rows(reference / overview), f"{overview}: the tables differ from the kaderpers build"
        total += sum(len(table) - 1 for table in rows)
    assert total > 30, f"only {total} records in the overviews"


def assert_full_site(site: Path) -> None:
    """The theme, the package's static files, mermaid and a Dutch interface."""
    for name in (*PACKAGE_STATIC, MERMAID, "404.html", "search.html", "kader.json"):
        assert (site / name).is_file(), f"{name} is missing from {site}"
    soup = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    assert soup.html["lang"] == "nl"
    assert soup.select_one("nav.bd-breadcrumbs, header.bd-header"), "not pydata-sphinx-theme's layout"
    assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})


def test_pyproject_lists_every_package() -> None:
    """The wheel's package list is explicit (it maps source/ and content/ in): it must name every package."""
    settings = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(init.parent.relative_to(REPO / "extensions").parts) for init in (REPO / "extensions" / "kaderpers").rglob("__init__.py")}
    listed = set(settings["packages"])
    assert on_disk <= listed, f"add to pyproject.toml's packages: {sorted(on_disk - listed)}"
    assert {settings["package-dir"][name] for name in listed - on_disk} == {"source", "content"}


def build_wheel(work: Path) -> Path:
    """The wheel of this checkout, built from a copy (setuptools writes build/ and egg-info beside its input)."""
    source = work / "source-tree"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    for name in ("extensions", "source", "content"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", str(work / "dist"), str(source)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = (work / "dist").glob("kaderpers-*.whl")
    return wheel


def fresh_environment(work: Path, wheel: Path) -> Path:
    """A virtual environment with the wheel installed; its dependencies from this run's site-packages."""
    target = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / "bin" / "python"
    own = Path(
        subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True).stdout.strip()
    )
    # A plain path: the .pth files in that folder (the editable install of this checkout) are not run.
    (own / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def record_ids(folder: Path) -> set[str]:
    """The short ids (``avg-01``) of the records in ``folder``, from their front matter."""
    return {str(frontmatter.load(path)["id"]).rsplit(":", 1)[-1] for path in folder.glob("*.md") if path.name != "index.md"}


def test_wheel_builds_a_tree_and_the_bundled_kader_from_any_folder(content_site: Path, tmp_path: Path) -> None:
    mermaid = REPO / "extensions" / "kaderpers" / "data" / "mermaid" / "mermaid.min.js"
    if not mermaid.is_file():
        pytest.fail("mermaid is not copied into the package; run `make setup`")
    environment = fresh_environment(tmp_path, build_wheel(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}

    def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(part) for part in command], cwd=elsewhere, env=clean, capture_output=True, text=True)
        assert result.returncode == 0, f"{command} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        return result

    where = run(environment / "bin" / "python", "-c", "import kaderpers; print(kaderpers.__file__)").stdout.strip()
    assert Path(where).is_relative_to(environment), f"kaderpers came from {where}, not from the wheel"

    kaderpers = environment / "bin" / "kaderpers"
    tree = small_content(tmp_path / "kader")  # a tree named on the command line, somewhere else
    given = run(kaderpers, "build", tree, "--out", "given")
    assert "configuration: kaderpers defaults" in given.stderr
    assert_full_site(elsewhere / "given" / "html")
    (vereisten,) = table_rows(elsewhere / "given" / "html" / "voldoen-aan-wetten-en-regels" / "vereisten" / "index.html")
    assert {row[0] for row in vereisten[1:]} == record_ids(tree / "voldoen-aan-wetten-en-regels" / "vereisten") != set()

    bundled = run(kaderpers, "build", "--out", "bundled")  # no ./docs here: the example kader in the package
    assert f"{environment}/lib/" in bundled.stderr and "kaderpers/voorbeeld, configuration: kaderpers defaults" in bundled.stderr
    site = elsewhere / "bundled" / "html"
    assert_full_site(site)
    assert_same_tables(site, content_site)  # the bundled kader is content/, built as this checkout builds it
    assert "mermaid" in (site / "levenscyclus" / "over-de-levenscyclus.html").read_text("utf-8")
    assert run(kaderpers, "check").returncode == 0


def test_a_conf_py_naming_only_the_extension_gives_the_same_site(content_site: Path, tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "conf.py").write_text('extensions = ["kaderpers"]\n', encoding="utf-8")
    out = tmp_path / "html"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-q",
        "-b",
        "html",
        "-c",
        str(conf),
        "-d",
        str(tmp_path / "doctrees"),
        "-j",
        "auto",
        str(CONTENT),
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
    assert_full_site(out)
    assert_same_tables(out, content_site)


def test_pre_commit_hook_checks_the_docs_tree(tmp_path: Path) -> None:
    """The hook as pre-commit runs it: its entry in the repository's root, no file names."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "kaderpers-check" and hook["language"] == "python" and hook["pass_filenames"] is False
    assert all(re.search(hook["files"], name) for name in ("docs/index.md", "mkdocs.yml", "docs/vocabulaire.yml"))
    assert not re.search(hook["files"], "afbeeldingen/levenscyclus.png")
    program, *arguments = shlex.split(hook["entry"])
    assert program == "kaderpers" and shutil.which("kaderpers", path=str(Path(sys.executable).parent))  # the console script
    command = [sys.executable, "-m", "kaderpers.cli", *arguments]
    shutil.copytree(REPO / "content", tmp_path / "docs")
    clean = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout[-2000:]
    assert str(tmp_path / "docs") in clean.stderr  # ./docs, not the bundled kader
    record = tmp_path / "docs" / "voldoen-aan-wetten-en-regels" / "maatregelen" / "0-org-02-beleid-verantwoorde-inzet.md"
    record.write_text(record.read_text("utf-8").replace("- awb-01-zorgvuldige-voorbereiding", "- awb-99-bestaat-niet"), encoding="utf-8")
    broken = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "0-org-02-beleid-verantwoorde-inzet.md" in broken.stdout and "awb-99-bestaat-niet" in broken.stdout


def test_the_configuration_is_the_tree_s_conf_py_or_the_extension_alone(tmp_path: Path) -> None:
    from kaderpers.cli.build import sphinx_configuration

    beside = make_tree(tmp_path / "repo", {"mkdocs.yml": "site_name: Kader\n", "conf.py": "", "docs/index.md": "# Kader\n"})
    inside = make_tree(tmp_path / "own", {"mkdocs.yml": "", "docs/conf.py": "", "conf.py": "", "docs/index.md": "# Kader\n"})
    alone = make_tree(tmp_path / "alone", {"docs/index.md": "# Kader\n"})
    # A conf.py above the tree that is not its project's (no mkdocs.yml there) is someone else's code.
    stranger = make_tree(tmp_path / "stranger", {"conf.py": "", "docs/index.md": "# Kader\n"})
    assert sphinx_configuration(beside / "docs") == (beside, {})
    assert sphinx_configuration(inside / "docs") == (inside / "docs", {})
    assert sphinx_configuration(alone / "docs") == (None, {"extensions": "kaderpers"})
    assert sphinx_configuration(stranger / "docs") == (None, {"extensions": "kaderpers"})


def test_every_option_stays_overridable(tmp_path: Path) -> None:
    """A conf.py's values win over the extension's; the theme options merge key by key;
    the project's templates and static files come before kaderpers'."""
    tree = make_tree(
        tmp_path / "tree",
        {
            "index.md": "---\ntitle: Proef\n---\n# Proef\n\nTekst.\n",
            "conf/conf.py": (
                'extensions = ["kaderpers"]\n'
                'html_title = "Eigen titel"\n'
                'html_theme_options = {"search_bar_text": "Zoek iets"}\n'
                'templates_path = ["eigen"]\n'
                'html_static_path = ["statisch"]\n'
            ),
            "conf/eigen/kaderpers-404.html": '{%- extends "page.html" %}{% block body %}<h1>Eigen 404</h1>{% endblock %}',
            "conf/statisch/kaderpers.css": "/* eigen stijl */\n",
        },
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(tree / "conf"), str(tree), str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    soup = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    assert soup.title.get_text().endswith("Eigen titel")
    assert soup.select_one("input[placeholder='Zoek iets']")
    # The rest of kaderpers' configuration holds, the theme options conf.py did not name too.
    assert soup.html["lang"] == "nl"
    assert soup.select_one(".navbar-brand .logo__title").get_text(strip=True) == "Algoritmekader"
    assert (out / "_static" / "kaderpers.css").read_text("utf-8") == "/* eigen stijl */\n"
    assert (out / "_static" / "kader-tables.js").is_file()
    assert BeautifulSoup((out / "404.html").read_text("utf-8"), "html.parser").h1.get_text() == "Eigen 404"
