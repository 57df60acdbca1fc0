"""The builder a transform writes for.

Sphinx 9 deprecates ``SphinxTransform.app`` (it goes in Sphinx 11) and has no
public way yet from a transform to the builder; the application is reached through
:func:`kaderpers.sphinxext.compat.application`. Events go through ``env.events``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .compat import application

if TYPE_CHECKING:
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


def builder_of(env: BuildEnvironment) -> Builder:
    """The builder of the build ``env`` belongs to."""
    return application(env).builder


def writes_html(env: BuildEnvironment) -> bool:
    """Whether that builder writes HTML."""
    return builder_of(env).format == "html"
