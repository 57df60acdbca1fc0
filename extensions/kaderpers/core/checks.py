"""Rules over the content model: what ``kaderpers check`` and the build report.

Page rules look at one page; kader rules need every page (ids, references,
vocabularies). Both return findings and never raise on bad content.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from . import boundary, limits
from .beslishulp import check_file, find_decision_tree, opens_beslishulp, shorten, shown_as
from .findings import Finding, suggestion
from .grammar import ExpressionTooLarge, ListSpec, Occurrence, expression_labels, parse_label_expression, scan
from .loader import load_tree
from .markup import alt_missing, alt_missing_finding, markup
from .model import (
    AI_ACT_FIELDS,
    FOLDER_OF,
    ID_PATTERN,
    ID_TYPE_CODES,
    KIND_OF_REFERENCE_FIELD,
    TAXONOMY_FIELDS,
    VOCABULARY_FIELDS,
    Kader,
    Page,
    PageKind,
)
from .sanitiser import removed_finding, sanitise, with_handled_links

MAX_TOELICHTING_WORDS = 40


def expected_id_code(page: Page) -> str | None:
    """The ``<code>-NN`` part of the id that the file name implies."""
    parts = page.stem.lower().split("-")
    if page.kind is PageKind.MAATREGEL and len(parts) >= 3 and parts[0].isdigit():
        return f"{parts[1]}-{parts[2]}"
    if page.kind is PageKind.VEREISTE and len(parts) >= 2:
        return f"{parts[0]}-{parts[1]}"
    return None


def check_page(page: Page) -> list[Finding]:
    """Rules that need only the page itself."""
    findings: list[Finding] = []
    title = page.meta.get("title")
    if not (isinstance(title, str) and title.strip()) and page.heading is None:
        findings.append(
            Finding(
                page.path,
                page.lines.of("title") or 1,
                "meta.title-missing",
                "page has no title; add `title:` to the front matter or start the page with a `# Heading`",
            )
        )
    elif isinstance(title, str) and title.strip().endswith("."):
        findings.append(Finding(page.path, page.lines.of("title"), "meta.title-period", "title ends with a period; remove it"))
    words = len(page.text("toelichting").split())
    if words > MAX_TOELICHTING_WORDS:
        findings.append(
            Finding(
                page.path,
                page.lines.of("toelichting"),
                "meta.toelichting-length",
                f"toelichting has {words} words; shorten it to at most {MAX_TOELICHTING_WORDS}",
            )
        )
    if page.kind in ID_TYPE_CODES:
        findings.extend(_check_id(page))
    return findings


def _check_id(page: Page) -> list[Finding]:
    line = page.lines.of("id")
    record_id = page.record_id
    type_code = ID_TYPE_CODES[page.kind]
    expected = expected_id_code(page)
    example = f"urn:nl:ak:{type_code}:{expected or 'code-01'}"
    if not record_id:
        return [Finding(page.path, line or 1, "meta.id-missing", f"{page.kind} has no id; add `id: {example}`")]
    match = ID_PATTERN.match(record_id)
    if match is None or match["type"] != type_code:
        return [
            Finding(
                page.path, line, "meta.id-format", f"id `{record_id}` is not of the form urn:nl:ak:{type_code}:<code>-NN; for this file write `id: {example}`"
            )
        ]
    if expected and match["code"] != expected:
        return [
            Finding(
                page.path,
                line,
                "meta.id-filename",
                f"id `{record_id}` does not match the file name {page.stem}.md, which implies `{example}`; fix the id or rename the file",
            )
        ]
    return []


def grammar_findings(page: Page, occurrences: list[Occurrence]) -> list[Finding]:
    """Grammar problems of the directive markers on a page."""
    return [Finding(page.path, o.line, p.rule, p.message) for o in occurrences for p in o.parsed.problems]


def check_occurrences(kader: Kader, page: Page, occurrences: list[Occurrence]) -> list[Finding]:
    """Grammar problems of the directives on a page, and filter values that match nothing."""
    findings = grammar_findings(page, occurrences)
    for occurrence in occurrences:
        if isinstance(occurrence.parsed.spec, ListSpec):
            findings.extend(check_filter_values(kader, page, occurrence.parsed.spec, occurrence.line))
    return findings


def check_filter_values(kader: Kader, page: Page, spec: ListSpec, line: int | None) -> list[Finding]:
    """Findings for the filters of one list directive that name no record or no vocabulary value."""
    findings = []
    for key, value in spec.filters:
        if key in KIND_OF_REFERENCE_FIELD:
            if kader.get(KIND_OF_REFERENCE_FIELD[key], value) is None:
                candidates = [p.stem for p in kader.of_kind(KIND_OF_REFERENCE_FIELD[key])]
                findings.append(
                    Finding(
                        page.path, line, "directive.filter", f"filter `{key}/{value}` names no {key}; no file {value}.md exists.{suggestion(value, candidates)}"
                    )
                )
            continue
        allowed = kader.allowed_values(key)
        if allowed is not None and value not in allowed:
            findings.append(
                Finding(
                    page.path,
                    line,
                    "directive.filter",
                    f"filter `{key}/{value}` matches nothing: `{value}` is not a {key} value.{suggestion(value, sorted(allowed))}",
                )
            )
    return findings


def check_kader(kader: Kader) -> list[Finding]:
    """Rules across pages: duplicate ids, dangling references, vocabulary values."""
    findings: list[Finding] = []
    by_id: dict[str, list[Page]] = defaultdict(list)
    for page in kader.pages.values():
        if page.kind in ID_TYPE_CODES and page.record_id:
            by_id[page.record_id].append(page)
        for key, stem in kader.dangling(page):
            target = KIND_OF_REFERENCE_FIELD[key]
            candidates = [p.stem for p in kader.of_kind(target)]
            findings.append(
                Finding(
                    page.path,
                    page.lines.of(key, stem),
                    "ref.dangling",
                    f"`{key}` refers to `{stem}`, but there is no {target} with that file name.{suggestion(stem, candidates)}",
                )
            )
        findings.extend(_check_vocabulary(kader, page))
        findings.extend(_check_uitzondering(kader, page))
    for record_id, pages in by_id.items():
        if len(pages) > 1:
            others = ", ".join(p.path for p in pages)
            findings.extend(
                Finding(p.path, p.lines.of("id"), "meta.id-duplicate", f"id `{record_id}` is used by {len(pages)} records ({others}); give each its own id")
                for p in pages
            )
    return findings


def _check_vocabulary(kader: Kader, page: Page) -> list[Finding]:
    findings = []
    for key in VOCABULARY_FIELDS:
        allowed = kader.allowed_values(key)
        if allowed is None:
            continue
        for value in page.values(key):
            if value in allowed:
                continue
            if key in TAXONOMY_FIELDS:
                folder = FOLDER_OF[TAXONOMY_FIELDS[key]]
                how = f"there is no page {folder}/{value}.md; use an existing {key} or add that page"
            else:
                how = "use a value from the vocabulary file (vocabulaire.yml) or add it there"
            findings.append(
                Finding(
                    page.path,
                    page.lines.of(key, value),
                    "vocab.unknown",
                    f"`{key}` value `{value}` is not in its vocabulary: {how}.{suggestion(value, sorted(allowed))}",
                )
            )
    return findings


def _check_uitzondering(kader: Kader, page: Page) -> list[Finding]:
    """Each ``uitzondering`` entry must be a label expression over known AI-verordening labels."""
    known = {f"{key}-{value}" for key in AI_ACT_FIELDS for value in kader.allowed_values(key) or ()}
    findings = []
    for entry in page.values("uitzondering"):
        line = page.lines.of("uitzondering", entry)
        try:
            expression = parse_label_expression(entry)
        except ExpressionTooLarge as error:
            findings.append(
                Finding(
                    page.path,
                    line,
                    "expression.too-large",
                    f"`uitzondering` entry `{shorten(entry)}` is too large: {error}; write it as several simpler entries (the record is published without it)",
                )
            )
            continue
        except ValueError as error:
            findings.append(
                Finding(
                    page.path,
                    line,
                    "meta.uitzondering",
                    f"`uitzondering` entry `{shorten(entry)}` cannot be read ({error}); write labels such as `risicogroep-hoog-risico-ai-systeem` joined with && and ||",
                )
            )
            continue
        for label in expression_labels(expression):
            if label not in known:
                findings.append(
                    Finding(
                        page.path,
                        line,
                        "meta.uitzondering",
                        f"`uitzondering` names the unknown label `{label}`; labels are <field>-<value> with an AI-verordening field and a value from its vocabulary.{suggestion(label, sorted(known))}",
                    )
                )
    return findings


def check_references(root: Path, project: Path, page: Page, body: str) -> list[Finding]:
    """Files a page refers to that lie outside the project, that are no files (a named pipe), that are too large to publish,
    or includes the build does not read."""
    found = boundary.references(body, page.body_line)
    findings = boundary.outside_references(found, root / page.path, root, project, page.path)
    flagged = {finding.line for finding in findings}
    inside = [reference for reference in found if reference.line not in flagged]
    findings.extend(boundary.not_a_file_references(inside, root / page.path, root, page.path))
    findings.extend(boundary.include_findings(inside, root / page.path, root, project, body, page.body_line))
    flagged = {finding.line for finding in findings}
    for reference in found:
        if reference.what in ("image", "figure") and reference.line not in flagged and boundary.is_local(reference.target):
            for path in boundary.candidate_paths(reference.target, (root / page.path).parent, root, srcdir_relative=True):
                if problem := limits.image_problem(path):
                    findings.append(Finding(page.path, reference.line, "image.too-large", f"image `{reference.target}` {problem}; it is not published"))
    return findings


def check_markup(page: Page, body: str, *, beslishulp: bool) -> list[Finding]:
    """Raw HTML the site's sanitiser removes and images without alternative text, as the site build reports them.

    ``beslishulp``: the site has a beslishulp page, so links whose script opens it lead there
    instead (their scripts are not removed but replaced).
    """
    found = markup(body, page.body_line)
    findings = []
    for fragment in found.html:
        if beslishulp:
            text = with_handled_links(fragment.text, lambda handler: "#" if opens_beslishulp(handler) else None)
        else:
            text = fragment.text
        removed = sanitise(text).removed
        if removed:
            findings.append(removed_finding(page.path, fragment.line, removed))
    findings.extend(alt_missing_finding(page.path, image.line, image.src) for image in found.images if alt_missing(image.alt))
    return findings


def check_tree(root: Path, beslishulp: str = "") -> list[Finding]:
    """Load a tree and run every rule; what ``kaderpers check`` prints.

    ``beslishulp`` names the decision tree (default: ``beslishulp.yaml`` in the tree or the folder above).
    """
    tree = load_tree(root)
    findings = list(tree.findings)
    project = boundary.project_root(tree.root)
    decision_tree = find_decision_tree(Path(root), beslishulp, Path.cwd())
    has_beslishulp = False
    if decision_tree is not None:
        loaded, tree_findings = check_file(decision_tree, tree.kader.vocabulary, shown_as(decision_tree, Path(root)))
        has_beslishulp = loaded is not None
    for page in tree.kader.pages.values():
        findings.extend(check_page(page))
        findings.extend(check_references(tree.root, project, page, tree.bodies[page.docname]))
        findings.extend(check_markup(page, tree.bodies[page.docname], beslishulp=has_beslishulp))
        occurrences = list(scan(tree.bodies[page.docname], page.body_line))
        findings.extend(check_occurrences(tree.kader, page, occurrences))
    findings.extend(check_kader(tree.kader))
    if decision_tree is not None:
        findings.extend(tree_findings)
    return findings
