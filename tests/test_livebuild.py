"""The warm application of ``serve`` (cli/livebuild.py): a new application in the same process
(after an edit of the glossary, or after a failed build) reports only the tree's own problems."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from conftest import make_tree
from kaderpers.cli.livebuild import LiveBuild

TREE = {
    "index.md": "---\ntitle: Start\n---\n# Start\n\nDe AVG geldt hier.\n",
    "includes/begrippenlijst.md": "*[AVG]: Algemene verordening gegevensbescherming.\n",
}


def test_a_new_application_after_a_glossary_edit_reports_only_the_trees_problems(tmp_path: Path, sphinx_registrations: None) -> None:
    tree = make_tree(tmp_path / "tree", TREE)
    live = LiveBuild(tree, tmp_path / "out", jobs=1)
    first = live.build()
    assert first.ok and first.problems == []
    glossary = tree / "includes" / "begrippenlijst.md"
    glossary.write_text("*[AVG]: Algemene verordening gegevensbescherming (EU) 2016/679.\n", encoding="utf-8")
    second = live.build([glossary])  # the glossary changes every page: a new application, a fresh environment
    assert second.ok, second.error
    assert second.problems == [], second.problems[:3]
    index = BeautifulSoup((live.html_dir / "index.html").read_text("utf-8"), "html.parser")
    titles = [abbr.get("title") for abbr in index.select("article abbr")]
    assert titles == ["Algemene verordening gegevensbescherming (EU) 2016/679."]
    # A problem of the tree is still reported by the new application.
    (tree / "index.md").write_text(TREE["index.md"] + "\n<script>alert(1)</script>\n", encoding="utf-8")
    third = live.build([glossary])
    assert third.ok and len(third.problems) == 1 and "[kaderpers.html.removed]" in third.problems[0]
