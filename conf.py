"""Sphinx configuration of kaderpers. Kept thin: the behaviour lives in extensions/kaderpers.

Build any kader tree with ``sphinx-build -c <this folder> CONTENT_DIR OUT/html``
or, better, ``kaderpers build CONTENT_DIR --out OUT``.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "extensions"))  # works without `pip install -e .` too

project = "Algoritmekader"
author = "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
copyright = "EUPL-1.2, de makers van het Algoritmekader"
release = "2026.11"
language = "nl"

extensions = ["kaderpers"]
root_doc = "index"
exclude_patterns = ["includes/**", "templates/**", "_build/**", "**/.*", "README.md", "LICENSE.md"]

templates_path = [str(HERE / "source" / "templates")]
html_static_path = [str(HERE / "source" / "static")]
html_theme = "pydata_sphinx_theme"
html_title = "Algoritmekader"
html_logo = str(HERE / "source" / "static" / "logo.svg")
html_favicon = str(HERE / "source" / "static" / "favicon.svg")
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_depth": 2,
    "collapse_navigation": True,
    "show_nav_level": 1,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "navbar_align": "left",
    "navbar_end": ["navbar-icon-links"],
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
    "use_edit_page_button": False,
    "search_bar_text": "Zoek in het Algoritmekader",
    "pygments_light_style": "default",
    "pygments_dark_style": "github-dark",
    "logo": {"text": "Algoritmekader"},
}
html_context = {"default_mode": "light"}

rinoh_documents = []  # filled in by kaderpers.pdf from the navigation
