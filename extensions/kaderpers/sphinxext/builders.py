"""The builder a transform writes for.

Sphinx 9 deprecates ``SphinxTransform.app`` (it goes in Sphinx 11) and has no
public way yet from a transform to the builder; Sphinx's own post-transforms use
the environment's private ``_app``. This is the one place kaderpers does the same,
so a Sphinx upgrade has one line to look at. Events go through ``env.events``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


def builder_of(env: BuildEnvironment) -> Builder:
    return env._app.builder  # noqa: SLF001 - see the module's docstring


def writes_html(env: BuildEnvironment) -> bool:
    return builder_of(env).format == "html"
