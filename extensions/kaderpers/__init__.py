"""kaderpers: a Sphinx extension and command line that publish the Algoritmekader.

Each concern is a module with its own ``setup``; this one only wires them up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """The Sphinx extension: MyST, sphinx-design and every kaderpers module, in the order their handlers need."""
    from . import dialect, pdf
    from .site import beslishulp, checklist, exports, html, interactive, notfound, pages, search, seo, versions
    from .sphinxext import boundary, changes, collector, compat, config, defaults, directives, glossary, history, navigation, parallel, status, tables

    compat.check_sphinx_version(app)
    defaults.default_language(app)  # before any module adds its translations
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_design")
    config.setup(app)
    collector.setup(app)  # source-read priority 300: front matter as written
    boundary.setup(app)  # what may be read: walk, include-like directives, images (kaderpers-build-started)
    dialect.setup(app)  # source-read priority 500: MkDocs-Material → MyST
    navigation.setup(app)  # source-read priority 700: toctrees from the navigation
    directives.setup(app)
    tables.setup(app)
    glossary.setup(app)
    changes.setup(app)  # at the start of each build (kaderpers-build-started): compares with --compare-to
    status.setup(app)
    history.setup(app)  # after status: history and citation of a release in a versioned site
    html.setup(app)
    search.setup(app)  # the instant search in the header and its index
    interactive.setup(app)
    notfound.setup(app)
    beslishulp.setup(app)
    checklist.setup(app)
    exports.setup(app)
    pages.setup(app)
    seo.setup(app)
    versions.setup(app)
    pdf.setup(app)
    parallel.setup(app)
    defaults.setup(app)  # after every config value is declared
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
