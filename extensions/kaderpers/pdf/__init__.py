"""The PDF edition and handouts, typeset by rinohtype.

* :mod:`.documents` which PDFs exist and which pages each holds (the outline);
* :mod:`.builder` the ``kaderpers-pdf`` Sphinx builder (rinohtype's, with the
  kader's own assembly, metadata and progress lines), loaded by Sphinx when a
  build asks for it (an entry point), so HTML builds never import rinohtype;
* :mod:`.printing` post-transforms that make every node printable;
* :mod:`.template` the rinohtype document template; ``source/pdf/`` the style
  sheet and the cover logo;
* :mod:`.orchestrate` runs the builder in parallel processes under a watchdog
  for ``kaderpers build --pdf/--handouts``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

from ..sphinxext.config import get_config

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)


def read_nothing_in_parallel(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """A PDF process sharing the environment with others must not read (and save) it.

    ``kaderpers build`` brings the environment up to date before it starts them;
    should it still be out of date, the PDFs show the pages as they were read.
    """
    shard = get_config(app).pdf_shard
    if app.builder.name == "kaderpers-pdf" and shard is not None and shard.count > 1 and docnames:
        logger.warning(
            "%d pages changed since the environment was saved; this PDF process shares it and does not read them"
            " (run the HTML build, or `kaderpers build`, first)", len(docnames), type="kaderpers", subtype="pdf",
        )  # fmt: skip
        docnames.clear()


#: rinohtype's config values that decide how pages are read: declared in every build, so the
#: environment the HTML build saves stays valid for the PDF processes that load it.
RINOH_ENV_CONFIG = {"rinoh_documents": (dict, list), "rinoh_targets": (list, str)}


def setup(app: Sphinx) -> None:
    # The builder (and rinohtype, 0.3 s to import) is loaded only when a build asks for it:
    # pyproject.toml names kaderpers.pdf.builder under the ``sphinx.builders`` entry points.
    """The PDF edition's configuration values and a serial read for PDF builds (the builder loads when a build names it)."""
    for name, types in RINOH_ENV_CONFIG.items():
        app.add_config_value(name, None, "env", types)
    app.connect("env-before-read-docs", read_nothing_in_parallel)
