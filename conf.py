"""Sphinx configuration for ``sphinx-build -c . TREE OUT/html``: a user of the extension like any other.

The extension sets the site up (theme, templates, static files, MyST, the layout of
the tree; see extensions/kaderpers/sphinxext/defaults.py); a project sets here only
what it wants otherwise. ``kaderpers build`` uses a tree's own conf.py (in the tree, or
beside the tree's mkdocs.yml in the folder above) and without one the same defaults,
so it builds content/ exactly as this file does.
"""

import sys
from pathlib import Path

# From a checkout, without `pip install -e .`, too.
sys.path.insert(0, str(Path(__file__).resolve().parent / "extensions"))

extensions = ["kaderpers"]
