"""The beslishulp's page: the decision tree as its wizard reads it, texts as inert rich text.

Also what tells a link that opens the beslishulp (a ``showModal`` script) from others.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from ..model import AI_ACT_FIELDS, Vocabulary
from .checks import label_values
from .model import DecisionTree, Source, Target


def opens_beslishulp(handler: str) -> bool:
    """Whether a link's script (``showModal(event, 'beslishulp AI-verordening', …)``) opens the beslishulp."""
    return "beslishulp" in handler.lower()


# -- the text of questions and conclusions --------------------------------------------------------

#: The markup the beslishulp writes in its texts, and what each becomes.
_RICH_TAGS = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "u": "em", "p": "p", "ul": "ul", "ol": "ol", "li": "li", "a": "a", "code": "code"}
_VOID_TAGS = {"br"}
_SKIPPED = {"script", "style", "template", "iframe", "object", "svg"}
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/|\.)", re.IGNORECASE)

#: Rich text: a list of strings and ``[tag, {attributes}, [children]]``; ``["br"]`` a line break.
RichText = list[Any]


class _RichTextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: RichText = []
        self.open: list[tuple[str, RichText]] = []
        self.skipping = 0

    @property
    def here(self) -> RichText:
        return self.open[-1][1] if self.open else self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in _VOID_TAGS:
            self.here.append(["br"])
        elif tag in _RICH_TAGS:
            name = _RICH_TAGS[tag]
            attributes = {}
            href = dict(attrs).get("href") or ""
            if name == "a" and _SAFE_URL.match(href.strip()):
                attributes["href"] = href.strip()
            children: RichText = []
            self.here.append([name, attributes, children])
            self.open.append((tag, children))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS and not self.skipping:
            self.here.append(["br"])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.skipping or not data:
            return
        text = re.sub(r"\s+", " ", data)
        if self.here and isinstance(self.here[-1], str):
            self.here[-1] += text
        else:
            self.here.append(text)


def rich_text(text: str) -> RichText:
    """The beslishulp's HTML-in-text as inert structure: only a few tags, no attributes but safe links."""
    parser = _RichTextParser()
    parser.feed(text)
    parser.close()
    return parser.root


def plain_text(rich: RichText) -> str:
    """The words of rich text (for tests and the no-script view)."""
    parts: list[str] = []
    for item in rich:
        if isinstance(item, str):
            parts.append(item)
        elif item[0] == "br":
            parts.append(" ")
        else:
            parts.append(plain_text(item[2]))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def page_data(tree: DecisionTree, vocabulary: Vocabulary) -> dict[str, Any]:
    """The decision tree as the wizard page reads it: texts as rich text, `if` as written."""

    def sources(items: tuple[Source, ...]) -> list[dict[str, str]]:
        return [{"text": s.text, "url": s.url if _SAFE_URL.match(s.url) else ""} for s in items]

    def target(t: Target | None) -> dict[str, str] | None:
        return {"kind": t.kind, "id": t.id} if t else None

    labels: dict[str, list[list[str]]] = {}
    for question in tree.questions.values():
        for answer in question.answers:
            for label in answer.labels:
                if label not in labels:
                    labels[label] = [list(pair) for pair in label_values(label, vocabulary) or ()]
    return {
        "name": tree.name,
        "questions": [
            {
                "id": q.id,
                "text": q.text,
                "explanation": rich_text(q.explanation),
                "subcategory": q.subcategory,
                "sources": sources(q.sources),
                "answers": [
                    {
                        "text": a.text,
                        "labels": list(a.labels),
                        "next": target(a.target),
                        "redirects": [{"if": r.condition_text, "next": target(r.target)} for r in a.redirects],
                        "subresult": rich_text(a.subresult),
                        "comment": rich_text(a.comment),
                    }
                    for a in q.answers
                ],
            }
            for q in tree.questions.values()
        ],
        "conclusions": {
            c.id: {"text": rich_text(c.text), "obligation": rich_text(c.obligation), "comment": rich_text(c.comment), "sources": sources(c.sources)}
            for c in tree.conclusions.values()
        },
        "labels": labels,
        "fields": list(AI_ACT_FIELDS),
    }
