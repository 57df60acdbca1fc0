"""The site's configuration, as defaults that a project's ``conf.py`` overrides.

``extensions = ["kaderpers"]`` is all a ``conf.py`` needs: the extension sets the
theme, its options, the templates and static files it ships, MyST's settings and
the Algoritmekader's file layout. A value the project's ``conf.py`` (or ``-D``)
sets wins; for the dictionaries (theme options, template context) key by key, so
a project changes one theme option without repeating the others. Templates and
static files of the project's own come before kaderpers' (so they replace them).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .. import bundled
from .compat import conf_py_names, reload_translations

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

THEME = "pydata_sphinx_theme"

#: pydata-sphinx-theme: accessible, bundles its icons and fonts. The section sidebar is
#: kaderpers' own template (sidebar-nav-bs.html, see kaderpers.site.html): the theme's
#: toctree sidebar dominated the build time. One light colour scheme, checked for contrast.
THEME_OPTIONS: dict[str, Any] = {
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
        "navbar-logo.html",
        "navbar-nav.html",
        "search-button-field.html",
        "breadcrumbs.html",
        "sidebar-collapse.html",
        "sidebar-nav-bs.html",
        "copyright.html",
    ],
}

#: Sphinx reads the language before any extension loads; see :func:`default_language`.
LANGUAGE = "nl"


def defaults() -> dict[str, Any]:
    """Every value kaderpers sets unless the project does (a fresh copy: config values are mutable)."""
    static = bundled.static()
    return copy.deepcopy(
        {
            "project": "Algoritmekader",
            "author": "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
            "copyright": "EUPL-1.2, de makers van het Algoritmekader",
            "root_doc": "index",
            # The Algoritmekader's layout: snippets and record templates are not pages.
            "exclude_patterns": ["includes/**", "templates/**", "_build/**", "**/.*", "README.md", "LICENSE.md"],
            # MyST reads what kaderpers.dialect translates the MkDocs-Material dialect into:
            # colon fences for directives, `{.class}` after links (buttons), footnotes (built in),
            # and heading anchors with MkDocs' slugs so `page.md#kop` links keep resolving.
            "myst_enable_extensions": ["colon_fence", "attrs_inline", "tasklist"],
            "myst_heading_anchors": 6,
            "myst_heading_slug_func": "kaderpers.core.slugs.mkdocs_slug",  # a path: config values are pickled
            "html_theme": THEME,
            "html_title": "Algoritmekader",
            "html_logo": str(static / "logo.svg"),
            "html_favicon": str(static / "favicon.svg"),
            "html_show_sourcelink": False,
            "html_copy_source": False,
            "html_last_updated_fmt": None,
            "html_theme_options": THEME_OPTIONS,
            "html_context": {"default_mode": "light"},
            "rinoh_documents": [],  # kaderpers.pdf makes its documents from the navigation
        }
    )


def written(config: Config, name: str) -> bool:
    """Whether the project's conf.py or a ``-D`` option sets ``name``.

    Sphinx reads values from conf.py's namespace lazily, so a value set here before
    that is read is a default the project overrides.
    """
    return name in config.overrides or name in conf_py_names(config)


def default_language(app: Sphinx) -> None:
    """A Dutch site unless the project says otherwise.

    Sphinx sets up its translations from ``language`` before it loads any
    extension, so with the language set here they are set up again.
    """
    if written(app.config, "language") or app.config.language == LANGUAGE:
        return
    app.config.language = LANGUAGE
    reload_translations(app)


def apply_defaults(app: Sphinx) -> None:
    """After every kaderpers module (and myst-parser) has declared its config values."""
    for name, value in defaults().items():
        if name not in app.config.values:
            continue
        if not written(app.config, name):
            setattr(app.config, name, value)
        elif isinstance(value, dict) and isinstance(getattr(app.config, name), dict) and name != "html_theme_options":
            setattr(app.config, name, {**value, **getattr(app.config, name)})


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Ship the templates and static files whatever the project's paths; merge the theme options
    (which only pydata takes: another theme would warn about each)."""
    theirs = config.html_theme_options if written(config, "html_theme_options") else {}
    if config.html_theme == THEME:
        config.html_theme_options = {**copy.deepcopy(THEME_OPTIONS), **theirs}
    else:
        config.html_theme_options = theirs
    templates, static = str(bundled.templates()), str(bundled.static())
    if templates not in config.templates_path:
        config.templates_path = [*config.templates_path, templates]
    if static not in config.html_static_path:
        config.html_static_path = [static, *config.html_static_path]  # later folders win in Sphinx's copy


def setup(app: Sphinx) -> None:
    """Called last by kaderpers' setup; :func:`default_language` first of all."""
    apply_defaults(app)
    app.connect("config-inited", on_config_inited, priority=400)
