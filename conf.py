"""Sphinx configuration of kaderpers. Kept thin: the behaviour lives in extensions/kaderpers.

Build any kader tree with ``sphinx-build -c <this folder> CONTENT_DIR OUT/html``
or, better, ``kaderpers build CONTENT_DIR --out OUT``.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "extensions"))  # the HTML build works without `pip install -e .` too

project = "Algoritmekader"
author = "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
copyright = "EUPL-1.2, de makers van het Algoritmekader"
release = "2026.11"
language = "nl"

extensions = ["kaderpers"]
root_doc = "index"
exclude_patterns = ["includes/**", "templates/**", "_build/**", "**/.*", "README.md", "LICENSE.md"]

# MyST reads what kaderpers.dialect translates the MkDocs-Material dialect into:
# colon fences for directives, `{.class}` after links (buttons), footnotes (built in),
# and heading anchors with MkDocs' slugs so `page.md#kop` links keep resolving.
myst_enable_extensions = ["colon_fence", "attrs_inline", "tasklist"]
myst_heading_anchors = 6
myst_heading_slug_func = "kaderpers.dialect.slugs.mkdocs_slug"  # a path: config values are pickled

templates_path = [str(HERE / "source" / "templates")]
html_static_path = [str(HERE / "source" / "static")]
html_theme = "pydata_sphinx_theme"
html_title = "Algoritmekader"
html_logo = str(HERE / "source" / "static" / "logo.svg")
html_favicon = str(HERE / "source" / "static" / "favicon.svg")
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
# pydata-sphinx-theme: accessible, bundles its icons and fonts. The section sidebar is
# kaderpers' own template (source/templates/sidebar-nav-bs.html, kaderpers.html): the theme's
# toctree sidebar dominated the build time. One light colour scheme, checked for contrast.
html_theme_options = {
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "header_dropdown_text": "Meer",
    "navbar_align": "left",
    "navbar_end": [],
    "primary_sidebar_end": [],
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
    "use_edit_page_button": False,
    "search_bar_text": "Zoek in het Algoritmekader",
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
    "logo": {"text": "Algoritmekader", "alt_text": ""},
    # Never empty, so pydata need not render them twice per page to find out.
    "templates_skip_empty_check": [
        "navbar-logo.html", "navbar-nav.html", "search-button-field.html", "breadcrumbs.html",
        "sidebar-collapse.html", "sidebar-nav-bs.html", "copyright.html",
    ],
}
html_context = {"default_mode": "light"}

rinoh_documents = []  # filled in by kaderpers.pdf from the navigation
