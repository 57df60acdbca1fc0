"""kaderpers.sphinxext.compat, the one place for Sphinx's private API, against the installed Sphinx.

Each accessor runs on a small Sphinx application built in-process, and gives what its
callers expect; no module outside the layer uses a private name of Sphinx.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sphinx
from jinja2 import Environment
from sphinx.application import Sphinx

from kaderpers.sphinxext import compat
from testing import registrations_kept

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "extensions" / "kaderpers"
#: Sphinx's modules whose private names kaderpers might reach for.
SPHINX_MODULES = (
    "sphinx.application", "sphinx.environment", "sphinx.builders", "sphinx.builders.html", "sphinx.config", "sphinx.events",
    "sphinx.registry", "sphinx.jinja2glue", "sphinx.util.docutils", "sphinx.transforms", "sphinx.transforms.post_transforms",
)  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sphinx]:
    """A plain Sphinx project: conf.py sets project and language; index lists one page."""
    source = tmp_path_factory.mktemp("compat")
    (source / "conf.py").write_text('project = "compat"\nlanguage = "en"\n', "utf-8")
    (source / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   pagina\n", "utf-8")
    (source / "pagina.rst").write_text("Pagina\n======\n\nText.\n", "utf-8")
    with registrations_kept():
        application = Sphinx(source, source, source / "_build", source / "_doctrees", "html", status=None, warning=io.StringIO(), freshenv=True)
        application.build()
        yield application


def test_the_version_range_is_the_one_pyproject_asks_for() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    (wanted,) = [item for item in dependencies if re.match(r"sphinx[><=]", item)]
    lowest, above = re.fullmatch(r"sphinx>=([\d.]+),<([\d.]+)", wanted).groups()  # type: ignore[union-attr]
    as_version = lambda text: (tuple(int(part) for part in text.split(".")) + (0,))[:2]  # noqa: E731
    assert compat.SPHINX_VERSIONS == (as_version(lowest), as_version(above))
    assert compat.version_problem() is None  # the installed Sphinx
    assert compat.version_problem((as_version(lowest)[0], as_version(lowest)[1] - 1)) is not None
    assert compat.version_problem(as_version(above)) is not None
    assert compat.version_problem(as_version(lowest)) is None


def test_a_sphinx_outside_the_range_is_warned_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[tuple[str, dict]] = []
    monkeypatch.setattr(compat.logger, "warning", lambda message, **kwargs: warned.append((message, kwargs)))
    compat.check_sphinx_version(None)  # type: ignore[arg-type]
    assert warned == []
    monkeypatch.setattr(sphinx, "version_info", (10, 1, 0, "final", 0))
    compat.check_sphinx_version(None)  # type: ignore[arg-type]
    assert len(warned) == 1 and warned[0][1] == {"type": "kaderpers", "subtype": "sphinx-version"}
    assert "Sphinx 10.1 is outside" in warned[0][0] and ">=8.2,<10.0" in warned[0][0]


def test_the_application_of_an_environment_and_a_builder(app: Sphinx) -> None:
    assert compat.application(app.env) is app
    assert compat.application(app.builder) is app


def test_the_names_conf_py_sets(app: Sphinx) -> None:
    names = set(compat.conf_py_names(app.config))
    assert {"project", "language"} <= names
    assert "html_theme" not in names and "release" not in names  # Sphinx's defaults, not written


def test_translations_set_up_again_follow_the_new_language(app: Sphinx) -> None:
    import sphinx.locale
    from sphinx.locale import _

    saved = dict(sphinx.locale.translators)  # Sphinx's translations are global: put back what was there
    sphinx.locale.translators.clear()  # none set up (an earlier build in this process may have set Dutch up)
    try:
        assert _("Search") == "Search"
        app.config.language = "nl"
        assert compat.reload_translations(app) is True
        assert _("Search") == "Zoeken"
    finally:
        app.config.language = "en"
        sphinx.locale.translators.clear()
        sphinx.locale.translators.update(saved)


def test_the_documents_sphinx_writes_again_with_a_page(app: Sphinx) -> None:
    assert compat.files_to_rebuild(app.env).get("pagina") == {"index"}
    assert compat.files_to_rebuild(app.env) is app.env.files_to_rebuild  # the live map, which the HTML writer edits


def test_the_template_environment_of_an_html_builder(app: Sphinx) -> None:
    assert isinstance(compat.template_environment(app.builder), Environment)
    assert compat.template_environment(object()) is None  # type: ignore[arg-type]


def test_sphinx_nodes_are_registered_while_an_application_lives(app: Sphinx) -> None:
    from docutils import nodes

    assert compat.sphinx_nodes_registered()
    assert hasattr(nodes.GenericNodeVisitor, "visit_toctree")  # what docutils' registration leaves behind


def test_the_builder_method_serve_overrides(app: Sphinx) -> None:
    base = type(app.builder)
    assert compat.write_documents_overridable(base)
    assert not compat.write_documents_overridable(type("NoBuilder", (), {}))
    assert not compat.write_documents_overridable(type("Other", (), {"write_documents": lambda self, docnames, extra: None}))

    class Subclass(base):  # type: ignore[misc, valid-type]
        pass

    with pytest.raises(TypeError):
        compat.replace_builder_class(app, type("Unrelated", (), {}))
    compat.replace_builder_class(app, Subclass)
    try:
        assert type(app.builder) is Subclass
    finally:
        app.builder.__class__ = base


def sphinx_private_names() -> set[str]:
    """The private names (``_x``, not ``__x``) Sphinx's own modules use, read from the installed Sphinx."""
    names = set()
    for module in SPHINX_MODULES:
        for node in ast.walk(ast.parse(inspect.getsource(importlib.import_module(module)))):
            name = node.attr if isinstance(node, ast.Attribute) else node.name if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ""
            if name.startswith("_") and not name.startswith("__"):
                names.add(name)
    return names


def private_uses(tree: ast.Module, private: set[str]) -> list[str]:
    """Sphinx's private names a module uses as attributes or as getattr/hasattr/setattr names."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private:
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr", "setattr", "delattr"):
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in private:
                found.append(f"{node.func.id}(…, {node.args[1].value!r}) (line {node.lineno})")
    return found


def test_only_the_compat_layer_uses_sphinx_private_names() -> None:
    private = sphinx_private_names()
    assert {"_app", "_raw_config", "_init_i18n"} <= private
    planted = private_uses(ast.parse('env._app.builder\ngetattr(config, "_raw_config", {})\nself._own = 1\n'), private)
    assert sorted(entry.split(" (line")[0] for entry in planted) == ["env._app", "getattr(…, '_raw_config')"]
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "sphinxext" / "compat.py":
            continue
        if found := private_uses(ast.parse(path.read_text("utf-8")), private):
            offenders[str(path.relative_to(PACKAGE))] = found
    assert not offenders, f"reach Sphinx's private API through kaderpers.sphinxext.compat: {offenders}"
