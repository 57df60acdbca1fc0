"""The shape of the package: build state in one domain, no import cycles, one column registry.

These read the source (ast) or run small pieces in-process; none builds a site.
"""

from __future__ import annotations

import ast
import functools
import multiprocessing
import pickle
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "extensions" / "kaderpers"


def modules() -> dict[str, ast.Module]:
    """Every module of the package by dotted name, parsed; a dict of the test's own, so that a test may
    put a planted module in it (the trees themselves are shared: do not change them)."""
    return dict(_parsed_modules())


@functools.cache
def _parsed_modules() -> tuple[tuple[str, ast.Module], ...]:
    """The package parsed once per worker (a dozen tests read it: 0.3 CPU-s a time)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, ast.parse(path.read_text("utf-8"), str(path))))
    return tuple(found)


# -- build state lives in the KaderDomain -----------------------------------------------------


def sphinx_attributes() -> dict[str, set[str]]:
    """What Sphinx itself defines on its application (``app``) and environment (``env``):
    the class's attributes and methods and what its own code assigns to ``self``, read from
    the installed Sphinx. Anything else stored there is ad-hoc state."""
    import inspect

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    found = {}
    for kind, cls in (("app", Sphinx), ("env", BuildEnvironment)):
        names = set(dir(cls))
        for node in ast.walk(ast.parse(inspect.getsource(cls))):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
        found[kind] = names
    return found


def ad_hoc_state(tree: ast.Module, sphinx_has: dict[str, set[str]]) -> list[str]:
    """Attributes stored on ``app`` / ``env`` that Sphinx does not define (assigned, or
    set with setattr/delattr), and such attributes read with getattr/hasattr."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)) and (kind := _app_or_env(node.value)):
            if node.attr not in sphinx_has[kind]:
                found.append(f"{ast.unparse(node)} (line {node.lineno})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and node.args:
            target, *rest = node.args
            if not (kind := _app_or_env(target)):
                continue
            name = rest[0].value if rest and isinstance(rest[0], ast.Constant) else None
            if name not in sphinx_has[kind]:  # None: a name only known at run time
                found.append(f"{node.func.id}({ast.unparse(target)}, {name!r}) (line {node.lineno})")
    return found


def _app_or_env(node: ast.expr) -> str:
    """ "app" or "env" when ``node`` names Sphinx's application or environment (``app``, ``self.env``, …)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name if name in ("app", "env") else ""


def test_no_ad_hoc_state_on_app_or_env() -> None:
    sphinx_has = sphinx_attributes()
    offenders = {name: found for name, tree in modules().items() if (found := ad_hoc_state(tree, sphinx_has))}
    assert not offenders, f"build state belongs in kaderpers.sphinxext.domain.KaderDomain: {offenders}"


def test_the_ad_hoc_state_check_sees_any_attribute_sphinx_does_not_define() -> None:
    sphinx_has = sphinx_attributes()
    assert {"parallel", "builder", "config"} <= sphinx_has["app"] and {"found_docs", "domaindata"} <= sphinx_has["env"]
    planted = """
def handler(app, env, self):
    env.kp_pages_seen = 1
    app.seen = {}
    self.env.cache = None
    setattr(app, "kp_x", 1)
    setattr(env, name, 1)
    getattr(env, "kp_pages_seen", None)
    app.parallel = 1
    app.config.anything = 1
    hasattr(app, "builder")
"""
    found = ad_hoc_state(ast.parse(planted), sphinx_has)
    assert [entry.split(" (line")[0] for entry in found] == [
        "env.kp_pages_seen", "app.seen", "self.env.cache", "setattr(app, 'kp_x')", "setattr(env, None)", "getattr(env, 'kp_pages_seen')",
    ]  # fmt: skip


# -- the domain's narrow door ----------------------------------------------------------------------

DOMAIN_MODULE = "kaderpers.sphinxext.domain"
#: The functions of the domain module that hand out its state.
DOMAIN_ACCESSORS = {"kader_domain", "pages", "specs", "kader", "glossary"}
#: Methods that change a list, set or dict in place.
MUTATORS = {
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "clear", "remove", "discard", "sort", "reverse",
    "difference_update", "intersection_update", "symmetric_difference_update", "__setitem__", "__delitem__", "__setattr__", "__delattr__",
}  # fmt: skip


def _domain_accessor_names(tree: ast.Module) -> set[str]:
    """The local names of the domain module's accessors (and of the domain class) a module imports."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "domain":
            names.update(alias.asname or alias.name for alias in node.names if alias.name in DOMAIN_ACCESSORS | {"KaderDomain"})
    return names


def domain_writes(tree: ast.Module) -> list[str]:
    """Where a module changes the domain's state other than through a method of KaderDomain:
    assigning or deleting an attribute or item of it (or of anything reached from it, also
    through a local name), calling a mutating method (``.add``, ``.append``, ``.update``, …)
    on it, or setattr/delattr. The state is reached through the domain module's accessors,
    ``env.domaindata``, ``env.domains[…]`` and ``env.get_domain(…)``."""
    accessors = _domain_accessor_names(tree)
    found: list[str] = []

    def reaches_domain(node: ast.expr, aliases: set[str]) -> bool:
        while True:
            if isinstance(node, (ast.Attribute, ast.Subscript)):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "domaindata"
                    or isinstance(node, ast.Subscript)
                    and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "domains"
                ):
                    return True
                node = node.value
            elif isinstance(node, ast.Call):
                function = node.func
                if isinstance(function, ast.Name):
                    return function.id in accessors
                if isinstance(function, ast.Attribute):
                    if function.attr in DOMAIN_ACCESSORS | {"get_domain"}:
                        return True
                    node = function.value  # what a method of domain state returns is domain state
                else:
                    return False
            elif isinstance(node, ast.Name):
                return node.id in aliases or node.id in accessors
            else:
                return False

    def bound_names(target: ast.expr) -> list[str]:
        if isinstance(target, ast.Name):
            return [target.id]
        if isinstance(target, (ast.Tuple, ast.List)):
            return [name for element in target.elts for name in bound_names(element)]
        return bound_names(target.value) if isinstance(target, ast.Starred) else []  # an attribute or item binds no name

    def scope(body: list[ast.stmt], inherited: set[str]) -> None:
        own = [node for statement in body for node in _walk_outside_functions(statement)]
        aliases = set(inherited)
        changed = True
        while changed:  # a name bound to domain state, or to what is reached from such a name
            changed = False
            for node in own:
                pairs = []
                if isinstance(node, ast.Assign):
                    pairs = [(target, node.value) for target in node.targets]
                elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                    pairs = [(node.target, node.value)]
                elif isinstance(node, (ast.For, ast.comprehension)):
                    pairs = [(node.target, node.iter)]
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    pairs = [(node.optional_vars, node.context_expr)]
                for target, value in pairs:
                    names = set(bound_names(target)) - aliases
                    if names and reaches_domain(value, aliases):
                        aliases |= names
                        changed = True
        for node in own:
            if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)) and reaches_domain(node.value, aliases):
                found.append(f"{ast.unparse(node)} (line {node.lineno})")
            elif (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS and reaches_domain(node.func.value, aliases)
            ):
                found.append(f"{ast.unparse(node.func)}(…) (line {node.lineno})")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "delattr")
                and node.args
                and reaches_domain(node.args[0], aliases)
            ):
                found.append(f"{node.func.id}({ast.unparse(node.args[0])}, …) (line {node.lineno})")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                scope(node.body if isinstance(node.body, list) else [ast.Expr(node.body)], aliases)

    scope(tree.body, set())
    return found


def _walk_outside_functions(node: ast.AST):
    """The nodes under ``node``, down to (and including) nested functions but not into them."""
    yield node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_outside_functions(child)


def test_only_the_domain_changes_its_state() -> None:
    offenders = {name: found for name, tree in modules().items() if name != DOMAIN_MODULE and (found := domain_writes(tree))}
    assert not offenders, f"change the build state through a method of kaderpers.sphinxext.domain.KaderDomain: {offenders}"


def test_the_domain_door_check_sees_each_kind_of_write() -> None:
    planted = """
from ..sphinxext.domain import kader_domain, pages as pages_of


def handler(app, env):
    kader_domain(app.env).removed = set()
    domain = kader_domain(env)
    domain.data["digests"] = {}
    domain.navigation = None
    domain.warned.add("x")
    skipped = domain.skipped_parents
    skipped.append(("a", "b"))
    pages_of(env)["index"] = None
    page = pages_of(env).get("index")
    page.title = "x"
    env.domaindata["kader"]["pages"].clear()
    env.get_domain("kader").changes_label += "!"
    setattr(domain, "project", None)
    del env.domains["kader"].data["specs"]["index"]

    def inner():
        domain.export_tasks = None

    domain.record_removed(set())
    text = domain.changes_label
    other = {}
    other["x"] = text
    found = sorted(domain.pages)
    found.append("y")
"""
    found = [entry.split(" (line")[0] for entry in domain_writes(ast.parse(planted))]
    assert found == [
        "kader_domain(app.env).removed", "domain.data['digests']", "domain.navigation", "domain.warned.add(…)", "skipped.append(…)",
        "pages_of(env)['index']", "page.title", "env.domaindata['kader']['pages'].clear(…)", "env.get_domain('kader').changes_label",
        "setattr(domain, …)", "env.domains['kader'].data['specs']['index']", "domain.export_tasks",
    ]  # fmt: skip


def _set_in_child(per_document, connection) -> None:
    per_document["read-here"] = "new"
    connection.send_bytes(pickle.dumps(per_document))


def test_a_parallel_reader_sends_back_only_its_own_documents() -> None:
    from kaderpers.sphinxext.domain import PerDocument

    per_document = PerDocument({f"page-{n}": n for n in range(1000)})
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_set_in_child, args=(per_document, sender))
    child.start()
    returned = pickle.loads(receiver.recv_bytes())
    child.join()
    assert dict(returned) == {"read-here": "new"}
    assert dict(pickle.loads(pickle.dumps(per_document))) == dict(per_document)  # saved whole by its own process


# -- one column registry --------------------------------------------------------------------------


def test_a_column_declared_once_reaches_grammar_table_digest_and_print(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column added to kaderpers.core.columns.COLUMNS, and nowhere else, is a flag of the grammar,
    a column of the table model with its header and cells, part of the digest behind incremental
    builds, and (as a chip column) printed as text in the PDF."""
    from kaderpers.core import columns
    from kaderpers.core.grammar import parse_legacy
    from kaderpers.core.loader import load_tree
    from kaderpers.pdf.printing import chip_cell_classes
    from kaderpers.sphinxext.collector import table_digest
    from kaderpers.sphinxext.tables import table_model

    index = load_tree(PACKAGE.parents[1] / "content").kader
    page = index.pages["voldoen-aan-wetten-en-regels/maatregelen/index"]
    unknown = parse_legacy("list_maatregelen", "add-bestand")
    assert [problem.rule for problem in unknown.problems] == ["directive.flag"]
    before = table_digest(index, page.docname, [(unknown.spec, None)])

    monkeypatch.setitem(columns.COLUMNS, "bestand", columns.Column("bestand", "Bestand", 12, lambda index, page: columns.Cell(page.stem)))
    monkeypatch.setitem(columns.COLUMNS, "thema", columns.Column("thema", "Thema", 12, chip_field="onderwerp"))
    parsed = parse_legacy("list_maatregelen", "add-bestand add-thema no-rol")
    assert not parsed.problems
    model = table_model(index, page, parsed.spec)
    assert model.columns == ["id", "title", "levenscyclus", "onderwerp", "bestand", "thema"]
    assert model.headers[-2:] == ["Bestand", "Thema"]
    assert model.rows and all(row.cells[-2].text == row.page.stem for row in model.rows)
    assert table_digest(index, page.docname, [(parsed.spec, None)]) != before
    assert "kp-col-thema" in chip_cell_classes() and "kp-col-bestand" not in chip_cell_classes()


def test_the_registry_keeps_todays_columns() -> None:
    from kaderpers.core.columns import COLUMNS, columns_for
    from kaderpers.core.grammar import parse_legacy

    def shown(name: str, words: str = "") -> list[str]:
        return [column.name for column in columns_for(parse_legacy(name, words).spec)]

    assert list(COLUMNS) == ["id", "title", "wetcode", "categorie", "rol", "levenscyclus", "onderwerp", "maatregelen", "hulpmiddelen", "bronnen"]
    # The traceability columns (kaderpers.core.traceability) show only when asked for.
    assert shown("list_vereisten", "add-maatregelen add-hulpmiddelen")[-2:] == ["maatregelen", "hulpmiddelen"]
    assert "maatregelen" not in shown("list_maatregelen", "add-maatregelen")
    assert shown("list_vereisten") == ["id", "title", "wetcode", "rol", "levenscyclus", "onderwerp"]
    assert shown("list_maatregelen", "add-wetcode add-categorie") == ["id", "title", "categorie", "rol", "levenscyclus", "onderwerp"]
    assert shown("list_hulpmiddelen", "no-onderwerp") == ["title", "categorie", "rol", "levenscyclus"]
    assert shown("list_vereisten_on_maatregelen_page", "add-rol") == ["id", "title", "rol"]


# -- no import cycles ---------------------------------------------------------------------------


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run)."""
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            hidden.update(id(inner) for child in node.body for inner in ast.walk(child))
    return hidden


def imports_of(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, at module level or inside functions.

    Importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` first, so those count
    too, except for a package ``name`` is itself in (its ``__init__`` has run already),
    unless ``name`` takes something from that ``__init__`` (``from .. import x`` where
    ``x`` is not a module).
    """
    is_package = (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file()
    base = name.split(".") if is_package else name.split(".")[:-1]
    hidden = _type_checking_only(tree)
    found = set()

    def add(module: str, names_from_it: bool = False) -> None:
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            ancestor = ".".join(parts[:end])
            inside = name == ancestor or name.startswith(ancestor + ".")
            if not inside or (ancestor == module and names_from_it):
                found.add(ancestor)

    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                module = ".".join(anchor + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            submodules = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in known]
            add(module, names_from_it=len(submodules) < len(node.names))
            for submodule in submodules:
                add(submodule)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    parsed = modules()
    known = set(parsed)
    return {name: imports_of(name, tree, known) for name, tree in parsed.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_import_walk_sees_function_level_imports_and_packages() -> None:
    graph = import_graph()
    assert "kaderpers.pdf.orchestrate" in graph["kaderpers.cli.build"]  # imported inside run_build
    assert "kaderpers.sphinxext.collector" in graph["kaderpers"]  # inside setup()
    assert "kaderpers.core.dialect" in graph["kaderpers.core.limits"]  # core.dialect.lines runs core/dialect/__init__.py
    assert "kaderpers.dialect" not in graph["kaderpers.dialect.inline"]  # from . import <modules>


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, f"modules that import each other (directly or through others): {found}"


# -- configuration and warnings --------------------------------------------------------------------


def test_every_warning_subtype_is_declared_in_the_rules_table() -> None:
    from kaderpers.core.findings import RULES

    used = {}
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "subtype" and isinstance(node.value, ast.Constant):
                used.setdefault(node.value.value, name)
    assert len(used) >= 8
    undeclared = {subtype: name for subtype, name in used.items() if subtype not in RULES}
    assert not undeclared, f"declare these warning subtypes in kaderpers.core.findings.RULES: {undeclared}"


class _App:
    def __init__(self, confdir: Path, **values: object) -> None:
        from dataclasses import fields

        from kaderpers.sphinxext.config import KaderpersConfig

        self.confdir = str(confdir)
        self.config = type("Config", (), {f"kaderpers_{item.name}": item.metadata["raw"] for item in fields(KaderpersConfig)})()
        for name, value in values.items():
            setattr(self.config, f"kaderpers_{name}", value)


def test_configuration_values_are_typed_and_paths_resolved_against_the_configuration_folder(tmp_path: Path) -> None:
    from kaderpers.sphinxext.config import Shard, get_config

    default = get_config(_App(tmp_path))
    assert default.pdf_documents == ("edition",) and default.pdf_shard is None and default.nav_file is None
    # As -D gives them (strings) and as conf.py writes them.
    typed = get_config(_App(tmp_path, pdf_documents="edition,handouts", pdf_shard="2/3", nav_file="nav/mkdocs.yml", glossary_file="g.md"))
    assert typed.pdf_documents == ("edition", "handouts") and typed.pdf_shard == Shard(2, 3) and typed.pdf_shard.index == 1
    assert typed.nav_file == tmp_path / "nav" / "mkdocs.yml" and typed.glossary_file == tmp_path / "g.md"
    assert get_config(_App(tmp_path, pdf_documents=["handouts"], pdf_shard="")).pdf_documents == ("handouts",)
    assert get_config(_App(tmp_path, pdf_documents="")).pdf_documents == ()


def test_invalid_configuration_values_are_reported_once_and_left_at_their_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kaderpers.sphinxext import config

    reported: list[tuple[str, dict]] = []
    monkeypatch.setattr(config.logger, "warning", lambda message, **kwargs: reported.append((message, kwargs)))
    app = _App(tmp_path, pdf_documents="edition,boek je", pdf_shard="3/2", pdf_timeout=0, pdf_speedups="ja")
    config.check_config(app, app.config)
    assert sorted(message.split(":")[0] for message, _ in reported) == [
        "kaderpers_pdf_documents", "kaderpers_pdf_shard", "kaderpers_pdf_speedups", "kaderpers_pdf_timeout",
    ]  # fmt: skip
    assert all(kwargs == {"type": "kaderpers", "subtype": "config"} for _, kwargs in reported)
    assert "boek je" in reported[0][0]  # no kind, and no handout name (those are words: ontwerp, rollen/jurist)
    typed = config.get_config(app)
    assert (typed.pdf_documents, typed.pdf_shard, typed.pdf_timeout, typed.pdf_speedups) == (("edition",), None, 900, True)


def test_core_imports_no_sphinx_docutils_or_rinohtype() -> None:
    offenders = {}
    for name, tree in modules().items():
        if not name.startswith("kaderpers.core"):
            continue
        hidden = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            offenders.update(
                {f"{name}: {module}": True for module in names if module.split(".")[0] in ("sphinx", "docutils", "rinoh", "myst_parser", "sphinx_design")}
            )
    assert not offenders, sorted(offenders)


def test_the_pdf_orchestrator_takes_the_time_limit_each_process_reports(capsys: pytest.CaptureFixture[str]) -> None:
    """The limit comes from the PDF process's own Sphinx configuration (conf.py and -D), not from
    reading conf.py beside it."""
    import io

    from kaderpers.pdf.orchestrate import Child
    from kaderpers.pdf.watchdog import TIME_LIMIT

    child = Child(1, [])
    assert child.timeout == 900
    child.process = type("Process", (), {"stdout": io.StringIO(TIME_LIMIT.format(seconds=1800) + "\nkaderpers-pdf: algoritmekader: pass 1, page 3\n")})()
    child.read()
    assert child.timeout == 1800 and child.last_line.endswith("page 3")
    assert "[pdf 1] kaderpers-pdf: layout time limit 1800 s" in capsys.readouterr().err


# -- docstrings ---------------------------------------------------------------------------------------


def undocumented(tree: ast.Module) -> list[str]:
    """Public functions, methods and classes (at module level or in a public class) without a docstring."""
    found = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if ast.get_docstring(node) is None:
                    found.append(f"{prefix}{node.name} (line {node.lineno})")
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return found


def test_every_public_function_of_core_has_a_docstring() -> None:
    core = PACKAGE / "core"
    checked = sorted(core.rglob("*.py"))
    assert len(checked) >= 10
    missing = {str(path.relative_to(PACKAGE)): found for path in checked if (found := undocumented(ast.parse(path.read_text("utf-8"))))}
    assert not missing, f"give these a docstring (what it returns or does, in a line): {missing}"


def test_every_module_and_its_entry_points_have_a_docstring() -> None:
    missing = []
    for name, tree in modules().items():
        if ast.get_docstring(tree) is None:
            missing.append(name)
        missing.extend(
            f"{name}.{node.name}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name in ("setup", "main") and ast.get_docstring(node) is None
        )
    assert not missing, f"give these a docstring: {missing}"


def test_the_docstring_check_sees_functions_methods_and_classes() -> None:
    planted = 'def shown():\n    """Yes."""\n\ndef bare(): pass\n\ndef _own(): pass\n\nclass Thing:\n    def method(self): pass\n\n    def _inner(self): pass\n'
    assert [entry.split(" (line")[0] for entry in undocumented(ast.parse(planted))] == ["bare", "Thing", "Thing.method"]


# -- layers (issue 19 and 20): who may import whom ---------------------------------------------

#: The layers, lowest first; a module may import its own layer and the layers before it. ``site`` and
#: ``pdf`` are peers: neither imports the other. ``base`` is the package's own leaf modules.
#: ``dialect`` stands above ``sphinxext``: its directives and transforms use the domain, the
#: collector's reporting and the builders' questions, while ``sphinxext`` needs nothing of the dialect.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"base"}),
    frozenset({"core"}),
    frozenset({"sphinxext"}),
    frozenset({"dialect"}),
    frozenset({"site", "pdf"}),
    frozenset({"cli", "extension"}),
)
BASE_MODULES = frozenset({"kaderpers.version", "kaderpers.folders", "kaderpers.bundled"})
#: Imports that break the order today, each with why it stays for now.
KNOWN_EXCEPTIONS = {
    # A type annotation only (under TYPE_CHECKING); the domain's narrow door (issue 20, item 2) is another change.
    ("kaderpers.sphinxext.domain", "kaderpers.site.html"),
}


def layer_of(module: str) -> str:
    if module in BASE_MODULES:
        return "base"
    if module == "kaderpers":
        return "extension"  # the Sphinx extension's setup(), which wires every layer
    return module.split(".")[1]


def rank_of(layer: str) -> int:
    return next(rank for rank, layers in enumerate(LAYERS) if layer in layers)


def every_import(name: str, tree: ast.Module, known: set[str]) -> list[tuple[int, str]]:
    """Every module of the package ``name`` imports, with its line: module level, in functions and under TYPE_CHECKING."""
    is_package = (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file()
    base = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                module = ".".join(anchor + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return [(line, module) for line, module in found if module in known]


def layer_violations(parsed: dict[str, ast.Module]) -> list[str]:
    violations = []
    known = set(parsed)
    for name, tree in parsed.items():
        mine = layer_of(name)
        for line, module in every_import(name, tree, known):
            if module == "kaderpers":
                continue  # the package itself: `from .. import bundled` runs only its module level (the version)
            theirs = layer_of(module)
            if theirs == mine or (name, module) in KNOWN_EXCEPTIONS:
                continue
            if rank_of(theirs) >= rank_of(mine):
                violations.append(f"{name}:{line} imports {module} ({mine} may not import {theirs})")
    return violations


def test_every_import_follows_the_layers() -> None:
    parsed = modules()
    assert {layer_of(name) for name in parsed} == {layer for layers in LAYERS for layer in layers}
    assert layer_violations(parsed) == []


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("kaderpers.core.model", "from ..sphinxext.domain import kader_domain\n"),  # package level
        ("kaderpers.sphinxext.nodes", "def later():\n    from ..dialect import translate\n"),  # function level
        ("kaderpers.site.pages", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..pdf.builder import KaderPdfBuilder\n"),
        ("kaderpers.dialect.icons", "from ..site.html import SiteTree\n"),
    ],
)
def test_the_layer_test_fails_on_a_planted_violation(module: str, planted: str) -> None:
    parsed = modules()
    parsed[module] = ast.parse(ast.unparse(parsed[module]) + "\n" + planted)
    found = layer_violations(parsed)
    assert len(found) == 1 and found[0].startswith(f"{module}:"), found


#: The openers of the dialect's blocks, as they are written in a pattern.
OPENER_SPELLINGS = ("!!!", r"\?\?\?", "===", "/{3,}", r"<div\b")


def test_only_core_opens_up_the_dialects_blocks() -> None:
    """No module outside ``core/`` has a pattern for the openers of the dialect's blocks."""
    offenders = []
    parsed = modules()
    for name, tree in parsed.items():
        if name.startswith("kaderpers.core"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("re.compile", "re.match", "re.search", "re.finditer", "re.sub"):
                pattern = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else ""
                if isinstance(pattern, str) and any(spelling in pattern for spelling in OPENER_SPELLINGS):
                    offenders.append(f"{name}:{node.lineno} {pattern}")
    assert offenders == [], "the dialect's blocks are read in kaderpers.core.dialect only"
    core_patterns = [
        node.args[0].value
        for node in ast.walk(parsed["kaderpers.core.dialect.admonitions"])
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "re.compile"
    ]
    assert any("!!!" in pattern for pattern in core_patterns)  # the search sees the spelling where it is
