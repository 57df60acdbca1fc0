"""The README's "How to add a PDF node" recipe, followed: a rendering class added to
pdf/rinoh_nodes.py is rinohtype's only during a PDF build, through a Patch of pdf/compat.py."""

from __future__ import annotations

import inspect
import types
from pathlib import Path

import pytest
import sphinx.locale
from rinoh.frontend.rst import DocutilsNode
from rinoh.frontend.rst import nodes as rst

from conftest import REPO, make_tree
from kader_fixture_tree import FILES
from kaderpers.pdf import compat, rinoh_nodes
from pdf_text import text as pdf_words

pytestmark = pytest.mark.pdf

#: As the recipe says: a subclass named after the node (here docutils' ``rubric``), in rinoh_nodes.py.
RECIPE_CLASS = """

class Rubric(rst.Rubric):
    def build_flowable(self):
        RENDERED.append(self.node.astext())
        return super().build_flowable()

"""


def test_rinoh_nodes_leaves_rinohtype_as_it_was_and_lists_every_class_it_defines() -> None:
    defined = {
        name: value for name, value in vars(rinoh_nodes).items()
        if inspect.isclass(value) and issubclass(value, DocutilsNode) and value.__module__ == rinoh_nodes.__name__
    }  # fmt: skip
    assert set(defined) == {"Admonition", "Table"}
    assert sorted(rinoh_nodes.RENDERINGS.values(), key=repr) == sorted(defined.values(), key=repr)
    assert not [tag for tag, rendering in DocutilsNode._mapping.items() if rendering.__module__ == rinoh_nodes.__name__]
    # compat.py has a Patch for each, and no other entry of rinohtype's table.
    table_patches = {patch.attribute: patch.make(None) for patch in compat.PATCHES if patch.owner is DocutilsNode._mapping}
    assert table_patches == rinoh_nodes.RENDERINGS


def recipe_module() -> types.ModuleType:
    """pdf/rinoh_nodes.py with :data:`RECIPE_CLASS` added above ``RENDERINGS``, run as a module."""
    source = Path(rinoh_nodes.__file__).read_text("utf-8")
    (line,) = [line for line in source.splitlines() if line.startswith("RENDERINGS = ")]
    module = types.ModuleType(rinoh_nodes.__name__)
    module.RENDERED = []  # type: ignore[attr-defined]
    exec(compile(source.replace(line, RECIPE_CLASS + line), rinoh_nodes.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


def test_a_node_added_as_the_recipe_says_is_rendered_in_a_pdf_build_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sphinx.cmd.build import build_main

    assert DocutilsNode._mapping["rubric"] is rst.Rubric
    module = recipe_module()
    assert module.RENDERINGS["rubric"] is module.Rubric and set(module.RENDERINGS) == {"admonition", "table", "rubric"}
    assert DocutilsNode._mapping["rubric"] is rst.Rubric  # defining it registered it; the module took that back
    # compat.py as it would be with this rinoh_nodes.py.
    others = [patch for patch in compat.PATCHES if patch.owner is not DocutilsNode._mapping]
    monkeypatch.setattr(compat, "PATCHES", [*others, *compat.rendering_patches(module.RENDERINGS)])

    tree = make_tree(tmp_path / "tree", {**FILES, "index.md": "# Testkader\n\nTekst.\n\n```{rubric} Een rubriek van het recept\n```\n"})
    arguments = ["-b", "kaderpers-pdf", "-c", str(REPO), "-q", "-D", "kaderpers_pdf_documents=edition", str(tree), str(tmp_path / "pdf")]
    translations = dict(sphinx.locale.translators)  # the build sets Sphinx's (global) translations up in Dutch
    try:
        assert build_main(arguments) == 0
    finally:
        sphinx.locale.translators.clear()
        sphinx.locale.translators.update(translations)
    assert module.RENDERED == ["Een rubriek van het recept"]  # rendered by the recipe's class, in the build
    text = pdf_words(tmp_path / "pdf" / "algoritmekader.pdf")
    assert "Een rubriek van het recept" in text
    assert DocutilsNode._mapping["rubric"] is rst.Rubric  # and rinohtype's own again after it
