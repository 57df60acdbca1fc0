"""Every use kaderpers makes of Sphinx's private or undocumented API, in one layer.

Like :mod:`kaderpers.pdf.compat` for rinohtype: each function below names one such
use and says why no public API does it. Nowhere else in kaderpers reaches into Sphinx's
private attributes, so a Sphinx upgrade has this file to look at, and
``tests/test_sphinx_compat.py`` checks every accessor against the installed Sphinx.

:data:`SPHINX_VERSIONS` is the range these were written for and tested with (the same
range ``pyproject.toml`` asks for); :func:`check_sphinx_version` warns once per
application outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import sphinx
from sphinx.util import logging

if TYPE_CHECKING:
    from jinja2 import Environment
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: The Sphinx versions this layer was written for: at least the first, below the second.
SPHINX_VERSIONS = ((8, 2), (10, 0))


def version_problem(version: tuple[int, ...] | None = None) -> str | None:
    """What is wrong with this Sphinx version (the installed one by default) for kaderpers,
    or ``None`` when it is in range."""
    version = tuple(version or sphinx.version_info[:2])
    lowest, above = SPHINX_VERSIONS
    if lowest <= version[:2] < above:
        return None
    shown = ".".join(str(part) for part in version[:2])
    return (
        f"Sphinx {shown} is outside the versions kaderpers was written for "
        f"(>={'.'.join(map(str, lowest))},<{'.'.join(map(str, above))}); its use of Sphinx internals "
        "(kaderpers.sphinxext.compat) may fail: install a Sphinx in that range"
    )


def check_sphinx_version(app: Sphinx) -> None:
    """Warn (``kaderpers.sphinx-version``) when the installed Sphinx is outside :data:`SPHINX_VERSIONS`."""
    problem = version_problem()
    if problem is not None:
        logger.warning(problem, type="kaderpers", subtype="sphinx-version")


def application(holder: BuildEnvironment | Builder) -> Sphinx:
    """The application of an environment or builder.

    Sphinx 9 deprecates ``SphinxTransform.app`` and ``Builder.app`` (gone in Sphinx 11)
    and has no public way from a transform to the builder; Sphinx's own post-transforms
    use the private ``_app``.
    """
    return holder._app  # noqa: SLF001 - the private use this function names


def conf_py_names(config: Config) -> Collection[str]:
    """The names the project's ``conf.py`` sets.

    Sphinx keeps conf.py's namespace in the private ``Config._raw_config`` and reads a
    value from it lazily; no public API tells a value written in conf.py from a default.
    """
    return getattr(config, "_raw_config", {}).keys()


def reload_translations(app: Sphinx) -> bool:
    """Set Sphinx's translations up again (after ``language`` changed); whether it could.

    Sphinx does this once, from ``language``, before it loads any extension, in the
    private ``Sphinx._init_i18n``; it only adds catalogs.
    """
    init_translations: Callable[[], None] | None = getattr(app, "_init_i18n", None)
    if init_translations is None:
        return False
    init_translations()
    return True


def files_to_rebuild(env: BuildEnvironment) -> dict[str, set[str]]:
    """Sphinx's undocumented map from a document to the documents whose toctrees list it
    (``BuildEnvironment.files_to_rebuild``): the parents Sphinx writes again with it."""
    return env.files_to_rebuild


def template_environment(builder: Builder) -> Environment | None:
    """The Jinja environment of an HTML builder's templates (``None`` for another builder).

    ``BuiltinTemplateLoader.environment`` is undocumented; kaderpers gives it a bytecode cache.
    """
    return getattr(getattr(builder, "templates", None), "environment", None)


def write_documents_overridable(builder_class: type) -> bool:
    """Whether ``builder_class.write_documents(self, docnames)`` exists with the signature
    kaderpers overrides (a documented builder method, though not meant for extensions)."""
    import inspect

    method: Any = getattr(builder_class, "write_documents", None)
    return method is not None and list(inspect.signature(method).parameters) == ["self", "docnames"]


def replace_builder_class(app: Sphinx, subclass: type) -> None:
    """Make the application's builder an instance of ``subclass`` (a subclass of its class):
    Sphinx has no way to give an application's own builder another method."""
    if not issubclass(subclass, type(app.builder)):
        raise TypeError(f"{subclass.__name__} is not a subclass of {type(app.builder).__name__}")
    app.builder.__class__ = subclass


def sphinx_nodes_registered() -> bool:
    """Whether an application of this process has registered Sphinx's own nodes with docutils
    (which keeps them process-wide): the next application is told each is "already registered".
    ``sphinx.util.docutils.is_node_registered`` is an undocumented helper."""
    from sphinx import addnodes
    from sphinx.util.docutils import is_node_registered

    return is_node_registered(addnodes.toctree)
