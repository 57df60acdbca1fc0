"""Links written for the MkDocs site, resolved to the documents of this build.

Markdown links to ``.md`` files are MyST's job. Links inside raw HTML and
mermaid ``click`` lines are not seen by MyST; they are written either as file
paths (``../vereisten/index.md``) or as MkDocs page URLs, which are relative to
the page's own folder-style URL (``levenscyclus/ontwerp/`` for
``levenscyclus/ontwerp.md``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment


@dataclass(frozen=True)
class Target:
    docname: str
    anchor: str


def is_relative(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "#")) or not url.strip())


def _mkdocs_url_folder(docname: str) -> str:
    """The folder a page's MkDocs URL lives in: ``a/b`` → ``a/b/``, ``a/index`` → ``a/``."""
    if docname == "index" or docname.endswith("/index"):
        return docname[: -len("index")]
    return docname + "/"


def resolve(env: BuildEnvironment, docname: str, url: str) -> Target | None:
    """The document a relative link on ``docname`` points at, or None."""
    if not is_relative(url):
        return None
    parts = urlsplit(url)
    path = unquote(parts.path)
    anchor = parts.fragment
    source_folder = posixpath.dirname(docname)
    candidates = []
    if path.endswith(".md"):
        candidates.append(posixpath.join(source_folder, path[: -len(".md")]))
    else:
        stripped = path.rstrip("/")
        for folder in (_mkdocs_url_folder(docname), source_folder + "/" if source_folder else ""):
            joined = posixpath.join(folder, stripped) if stripped else folder.rstrip("/")
            candidates.extend([joined.removesuffix(".html"), posixpath.join(joined, "index")])
    for candidate in candidates:
        normalised = posixpath.normpath(candidate).lstrip("./") if candidate else "index"
        if normalised in ("", "."):
            normalised = "index"
        if normalised in env.found_docs:
            return Target(normalised, anchor)
    return None
