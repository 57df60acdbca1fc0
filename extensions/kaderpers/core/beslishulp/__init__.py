"""The beslishulp AI-verordening: a decision tree in the beslishulp's public YAML format.

A tree has ``questions`` (each with ``explanation``, ``sources`` and ``answers``) and
``conclusions`` (with ``conclusion``, ``obligation`` and ``sources``). An answer adds
``labels`` to those gathered so far and leads to a question or conclusion, directly
(``nextQuestionId``/``nextConclusionId``) or through ``redirects``: the first redirect
whose ``if`` expression holds for the labels gathered so far (this answer's included).

This package reads such a file with line numbers and validates it (:mod:`.format`),
reads the ``if`` expressions (:mod:`.expressions`), builds the model (:mod:`.model`),
walks every path through it and checks them (:func:`walk`, :func:`check`), turns gathered
labels into the vereisten profile (:func:`profile`, :mod:`.checks`) and gives the page its
data (:mod:`.page`). It is independent of Sphinx and of the page's JavaScript, so the
tests can hold the one against the other.
"""

from __future__ import annotations

from .checks import Step, Walk, check, check_file, follow, gather, label_values, profile, walk
from .expressions import holds, parse_condition
from .format import BESLISHULP_FILE, SCHEMA, find_decision_tree, read_yaml, shown_as
from .model import Answer, Conclusion, DecisionTree, LoadedDecisionTree, Question, Redirect, Source, Target, build_tree, load_decision_tree, shorten
from .page import RichText, opens_beslishulp, page_data, plain_text, rich_text

__all__ = [
    "BESLISHULP_FILE", "SCHEMA", "Answer", "Conclusion", "DecisionTree", "LoadedDecisionTree", "Question", "Redirect", "RichText",
    "Source", "Step", "Target", "Walk", "build_tree", "check", "check_file", "find_decision_tree", "follow", "gather", "holds",
    "label_values", "load_decision_tree", "opens_beslishulp", "page_data", "parse_condition", "plain_text", "profile", "read_yaml",
    "rich_text", "shorten", "shown_as", "walk",
]  # fmt: skip
