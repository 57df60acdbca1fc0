"""Sphinx configuration of the bundled kader (content/): a user of the extension like any other.

The extension sets the site up (theme, templates, static files, MyST, the layout of
the tree; see extensions/kaderpers/sphinxext/defaults.py); set here only what this
publication wants otherwise. ``kaderpers build content`` uses this file (a tree's
conf.py is looked for in the tree and in the folder above it); so does
``sphinx-build -c . content OUT/html``.
"""

import sys
from pathlib import Path

# The HTML build works from a checkout without `pip install -e .` too.
sys.path.insert(0, str(Path(__file__).resolve().parent / "extensions"))

extensions = ["kaderpers"]
release = "2026.11"
