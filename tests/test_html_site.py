"""The HTML site of content/ as built: pages, navigation, Dutch interface, strict-CSP pages, search data.

Everything is read from the built site (conftest ``content_site``) with BeautifulSoup;
expectations come from the content tree itself, not from the code under test.
"""

from __future__ import annotations

import gettext
import io
import json
import re
from functools import cache
from pathlib import Path

import frontmatter
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

import testing
from conftest import make_tree
from html_pages import page_soup, site_pages
from kaderpers.site.html import CONTENT_SECURITY_POLICY, DutchSearch, content_security_policy

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
CATALOG = REPO / "source" / "locale" / "nl" / "LC_MESSAGES"
EXCLUDED = ("includes/", "templates/")
DEFAULT_SECTIONS = ["Levenscyclus", "Onderwerpen", "Rollen", "Vereisten", "Maatregelen", "Hulpmiddelen"]
MAATREGELEN = "voldoen-aan-wetten-en-regels/maatregelen"
#: Elements whose URL the browser fetches when the page loads (links to other sites are fine in <a>).
LOADED = {"script": "src", "img": "src", "link": "href", "iframe": "src", "source": "src", "video": "src", "audio": "src", "object": "data", "embed": "src"}


#: Attributes a browser follows or loads as a URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite"}
SCRIPT_SCHEMES = {"javascript", "vbscript"}


def url_scheme(value: str) -> str:
    """The scheme a browser reads in an attribute value (already entity-decoded by the parser): the URL
    standard strips leading and trailing control characters and spaces, and removes tabs and newlines."""
    text = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", text)
    return match[1].lower() if match else ""


def content_pages() -> list[str]:
    return sorted(
        path.relative_to(CONTENT).with_suffix("").as_posix() for path in CONTENT.rglob("*.md") if not path.relative_to(CONTENT).as_posix().startswith(EXCLUDED)
    )


@cache
def html_pages(site: Path) -> list[Path]:
    return site_pages(site)


def sidebar(soup: BeautifulSoup) -> BeautifulSoup | None:
    return soup.select_one("nav.kp-section-nav")


def hidden(docname: str) -> set[str]:
    """What the page's ``hide`` front matter takes away (MkDocs-Material: navigation, toc, path, footer)."""
    value = frontmatter.load(CONTENT / f"{docname}.md").get("hide") or []
    return {value} if isinstance(value, str) else set(value)


def front_matter_title(docname: str) -> str:
    text = (CONTENT / f"{docname}.md").read_text("utf-8")
    match = re.search(r"^title:\s*(.+?)\s*$", text, re.MULTILINE)
    assert match, f"{docname}.md has no title"
    return match[1].strip("'\"")


# -- building --------------------------------------------------------------------------------


def test_every_page_has_html_at_the_path_of_its_source(content_site: Path) -> None:
    missing = [docname for docname in content_pages() if not (content_site / f"{docname}.html").is_file()]
    assert not missing, f"no HTML for {missing}"


def test_the_build_reports_no_errors(content_build) -> None:  # noqa: ANN001
    errors = [line for line in content_build.stderr.splitlines() if ": ERROR:" in line or "Traceback" in line]
    assert not errors, "\n".join(errors[:20])


# -- every page: Dutch, strict CSP, nothing from other hosts -----------------------------------


def test_every_page_is_dutch_and_declares_a_strict_csp(content_site: Path) -> None:
    for path in html_pages(content_site):
        soup = page_soup(path)
        assert soup.html.get("lang") == "nl", path
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        # The 404 page, served at any address, has a <base> of the site's root (kaderpers.site.notfound).
        policy = content_security_policy("'self'") if path.name == "404.html" else CONTENT_SECURITY_POLICY
        assert meta is not None and meta["content"] == policy, path
        # The policy must come before every script, or it does not govern them.
        first_script = soup.find("script")
        assert first_script is None or first_script.find_previous("meta", attrs={"http-equiv": "Content-Security-Policy"}) is meta, path


def test_policy_forbids_inline_scripts_and_other_hosts(content_site: Path) -> None:
    """The policies as the pages declare them to a browser, read from the pages (the 404 page has its own base-uri)."""
    policies = {page_soup(path).find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"] for path in html_pages(content_site)}
    assert 1 <= len(policies) <= 2
    for policy in policies:
        check_policy(policy)


def check_policy(policy: str) -> None:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"


def test_no_inline_scripts_or_event_handlers(content_site: Path) -> None:
    problems = []
    for path in html_pages(content_site):
        soup = page_soup(path)
        for script in soup.find_all("script"):
            if not script.get("src") and script.get("type") != "application/json":
                problems.append(f"{path.name}: inline script {script.get_text()[:80]!r}")
        for tag in soup.find_all(True):
            handlers = [name for name in tag.attrs if name.lower().startswith("on")]
            if handlers:
                problems.append(f"{path.name}: <{tag.name} {handlers}>")
            for attribute in URL_ATTRIBUTES & set(tag.attrs):
                if url_scheme(str(tag[attribute])) in SCRIPT_SCHEMES:
                    problems.append(f"{path.name}: <{tag.name} {attribute}={tag[attribute]!r}>")
    assert not problems, "\n".join(problems[:20])


def test_the_script_link_check_reads_urls_as_a_browser_does() -> None:
    """Entities are decoded by the parser; tabs and newlines inside and spaces around do not hide a scheme."""
    hidden_schemes = [
        "java&#x09;script:alert(1)",
        "JaVa&Tab;Script:alert(1)",
        " &#10;javascript:alert(1)",
        "jav&#x0A;ascript&colon;alert(1)",
        "\x01vbscript:msgbox(1)",
    ]
    for value in hidden_schemes:
        href = BeautifulSoup(f'<a href="{value}">x</a>', "html.parser").a["href"]
        assert url_scheme(href) in SCRIPT_SCHEMES, value
    assert url_scheme("https://example.org/javascript:") == "https" and url_scheme("pagina.html#javascript:") == ""


def test_pages_load_nothing_from_other_hosts(content_site: Path) -> None:
    external = []
    for path in html_pages(content_site):
        for tag in page_soup(path).find_all(list(LOADED)):
            name, attribute = tag.name, LOADED[tag.name]
            url = str(tag.get(attribute, ""))
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE):
                external.append(f"{path.name}: <{name} {attribute}={url}>")
    for css in (content_site / "_static").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text("utf-8", errors="replace")):
            if re.match(r"^(?:https?:)?//", url):
                external.append(f"{css.name}: url({url})")
    assert not external, "\n".join(external[:20])


def test_images_on_other_hosts_become_links(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path / "tree",
        {
            "index.md": "---\ntitle: Proef\n---\n# Proef\n\nZie ![Een schema](https://example.org/schema.png) hier.\n\n![image](https://github.com/a/b.png)\n\n![Lokaal](lokaal.png)\n",
            "lokaal.png": "",
        },
    )
    (tree / "lokaal.png").write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
    )
    built = testing.sphinx_build(["-q", "-b", "html", "-c", str(REPO), str(tree), str(tmp_path / "out")], cwd=REPO)
    assert built.returncode == 0, built.stderr[-3000:]
    article = BeautifulSoup((tmp_path / "out" / "index.html").read_text("utf-8"), "html.parser").find("article")
    assert [img["src"] for img in article.find_all("img")] == ["_images/lokaal.png"]
    links = {a.get_text(): a["href"] for a in article.select("a.kp-remote-image")}
    assert links == {"Afbeelding: Een schema (op example.org)": "https://example.org/schema.png", "Afbeelding op github.com": "https://github.com/a/b.png"}


# -- look: logo, favicon, stylesheet -----------------------------------------------------------


def test_logo_favicon_and_site_stylesheet(content_site: Path) -> None:
    soup = page_soup(content_site / "index.html")
    logo = soup.select_one(".navbar-brand img")
    assert logo is not None and logo["src"].endswith("_static/logo.svg")
    assert logo.get("alt") == ""  # decorative: the site name follows as text
    assert soup.select_one(".navbar-brand .logo__title").get_text(strip=True) == "Algoritmekader"
    assert (content_site / "_static" / "logo.svg").read_text("utf-8").lstrip().startswith("<svg")
    assert soup.find("link", rel="icon")["href"].endswith("favicon.svg")
    stylesheets = [link["href"].split("?")[0] for link in soup.find_all("link", rel="stylesheet")]
    assert stylesheets[-1].endswith("_static/kaderpers.css"), "the site style must come last to have the last word"


def test_site_colours_are_the_rijkshuisstijl_blues(content_site: Path) -> None:
    css = (content_site / "_static" / "kaderpers.css").read_text("utf-8").lower()
    assert "--kp-donkerblauw: #154273" in css and "--kp-lintblauw: #01689b" in css
    assert "--pst-color-link: var(--kp-lintblauw)" in css


# -- navigation ----------------------------------------------------------------------------------


def test_header_lists_the_default_sections_in_order(content_site: Path) -> None:
    soup = page_soup(content_site / "index.html")
    labels = [a.get_text(strip=True) for a in soup.select(".navbar-header-items__center nav a.nav-link")]
    assert labels[: len(DEFAULT_SECTIONS)] == DEFAULT_SECTIONS


def test_sidebar_shows_the_section_of_the_page_only(content_site: Path) -> None:
    phases = [d for d in content_pages() if d.startswith("levenscyclus/") and d != "levenscyclus/index"]
    page = "levenscyclus/ontwerp"
    assert "navigation" not in hidden(page)
    nav = sidebar(page_soup(content_site / f"{page}.html"))
    assert nav is not None
    assert nav.select_one(".kp-section-title").get_text(strip=True) == "Levenscyclus"
    links = nav.select("ul a")
    # Every page of the section and nothing else: nothing from the vereisten or the maatregelen.
    here = content_site / f"{page}.html"
    targets = {here if a["href"] == "#" else (here.parent / a["href"].split("#")[0]).resolve() for a in links}
    assert targets == {(content_site / f"{d}.html").resolve() for d in phases}
    current = nav.select('a[aria-current="page"]')
    assert len(current) == 1 and current[0]["href"] == "#"
    assert nav["aria-label"] == "Navigatie in dit onderdeel"


def test_hide_in_the_front_matter_takes_those_parts_away(content_site: Path) -> None:
    """As in MkDocs-Material: ``navigation`` the section sidebar, ``toc`` the page's contents,
    ``footer`` the previous/next links. The records hide their navigation."""
    seen: dict[str, int] = {"navigation": 0, "toc": 0, "shown": 0}
    for docname in content_pages():
        soup = page_soup(content_site / f"{docname}.html")
        parts = hidden(docname)
        primary = soup.select_one("#pst-primary-sidebar")
        if "navigation" in parts:
            seen["navigation"] += 1
            assert sidebar(soup) is None and "hide-on-wide" in primary["class"], docname
        elif docname != "index":
            seen["shown"] += 1
            assert sidebar(soup) is not None and "hide-on-wide" not in primary["class"], docname
        if "toc" in parts:
            seen["toc"] += 1
            assert soup.select_one(".bd-sidebar-secondary") is None, docname
        assert ("footer" in parts) == (soup.select_one(".prev-next-area a") is None), docname
    maatregelen = [d for d in content_pages() if d.startswith(f"{MAATREGELEN}/") and not d.endswith("/index")]
    assert all("navigation" in hidden(d) for d in maatregelen)
    assert all(seen.values()), seen


def test_sidebar_lists_the_phases_in_order(content_site: Path) -> None:
    nav = sidebar(page_soup(content_site / "levenscyclus" / "ontwerp.html"))
    phases = [int(m[1]) for a in nav.select("ul a") if (m := re.search(r"Fase (\d+)", a.get_text()))]
    assert phases == sorted(phases) and phases[0] == 0 and phases[-1] == 8


def test_every_page_but_the_home_page_has_its_place_in_the_navigation(content_site: Path) -> None:
    """Marked in the section sidebar, or, on a page that hides it, named last in the breadcrumbs."""
    lost = []
    for docname in content_pages():
        if docname == "index":
            continue
        soup = page_soup(content_site / f"{docname}.html")
        if "navigation" in hidden(docname):
            crumbs = [li.get_text(" ", strip=True) for li in soup.select('nav[aria-label="Kruimelpad"] li')]
            placed = len(crumbs) >= 2 and crumbs[-1] == soup.select_one("article h1").get_text(" ", strip=True).rstrip("#").strip()
        else:
            nav = sidebar(soup)
            placed = nav is not None and len(nav.select('[aria-current="page"]')) == 1
        if not placed:
            lost.append(docname)
    assert not lost, f"pages outside the navigation: {lost}"
    assert sidebar(page_soup(content_site / "index.html")) is None


def test_breadcrumbs_lead_from_home_to_the_page(content_site: Path) -> None:
    page = next(d for d in content_pages() if d.startswith(f"{MAATREGELEN}/") and not d.endswith("/index"))
    crumbs = page_soup(content_site / f"{page}.html").select_one('nav[aria-label="Kruimelpad"]')
    items = [li.get_text(" ", strip=True) for li in crumbs.select("li")]
    assert items[-1] == front_matter_title(page)
    assert front_matter_title(f"{MAATREGELEN}/index") in items


def test_wide_kader_tables_take_the_page_toc_column(content_site: Path) -> None:
    wide = narrow = 0
    for path in html_pages(content_site):
        soup = page_soup(path)
        columns = max((len(t.select("thead th")) for t in soup.select("table.kp-table")), default=0)
        headings = len(soup.select("article section > h2"))
        if columns >= 5:
            wide += 1
            assert soup.select_one(".bd-sidebar-secondary") is None, path
        elif headings >= 2 and "toc" not in hidden(path.relative_to(content_site).with_suffix("").as_posix()):
            narrow += 1
            assert soup.select_one(".bd-sidebar-secondary") is not None, path
    assert wide and narrow  # both kinds of page exist in content/


# -- Dutch interface -----------------------------------------------------------------------------


def test_interface_text_is_dutch(content_site: Path) -> None:
    soup = page_soup(content_site / "index.html")
    assert soup.select_one("#pst-skip-link a").get_text(strip=True) == "Direct naar de inhoud"
    assert soup.select_one('nav[aria-label="Hoofdnavigatie"]') is not None
    assert soup.select_one(".headerlink")["title"] == "Link naar deze kop"
    with_toc = [page_soup(path).select_one(".bd-sidebar-secondary") for path in html_pages(content_site)]
    assert all("Op deze pagina" in toc.get_text() for toc in with_toc if toc is not None) and any(with_toc)
    assert soup.select_one("#pst-search-dialog input")["placeholder"] == "Zoek in het Algoritmekader"
    english = ["Skip to main content", "Section Navigation", "On this page", "Back to top", "Link to this heading"]
    for path in html_pages(content_site):
        text = path.read_text("utf-8")  # as written, attributes and comments included
        assert not [e for e in english if e in text], path


def test_compiled_catalog_matches_its_source() -> None:
    """source/locale/…/sphinx.mo is what pybabel makes of sphinx.po (run `pybabel compile` after editing)."""
    with (CATALOG / "sphinx.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with (CATALOG / "sphinx.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    messages = lambda translations: {k: v for k, v in translations._catalog.items() if k}  # noqa: E731 - "" is the header
    assert messages(shipped) == messages(expected)
    assert "Direct naar de inhoud" in messages(shipped).values()


# -- search -------------------------------------------------------------------------------------


def search_index(site: Path) -> dict:
    text = (site / "searchindex.js").read_text("utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


@pytest.mark.parametrize(
    ("one", "other"),
    [("maatregel", "maatregelen"), ("systeem", "systemen"), ("vereiste", "vereisten"), ("algoritme", "algoritmes"), ("rol", "rollen")],
)
def test_dutch_word_forms_share_a_stem(one: str, other: str) -> None:
    search = DutchSearch({})
    assert search.stem(one) == search.stem(other)


def test_search_index_is_dutch_and_stemmed(content_site: Path) -> None:
    index = search_index(content_site)
    stem = DutchSearch({}).stem
    assert stem("maatregelen") in index["terms"]
    assert "maatregeel" not in index["terms"]  # Snowball's stem without the kaderpers rule
    language_data = (content_site / "_static" / "language_data.js").read_text("utf-8")
    assert "DutchStemmer" in language_data and "window.Stemmer = function" in language_data
    assert '"$1$2"' in language_data  # the same rule in the browser
