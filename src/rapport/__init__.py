"""Rapport: an interactive workshop on building real human connection.

The names below load on first use (PEP 562), so ``import rapport.kernel`` or
``import rapport.live`` does not pull in the whole package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport._lazy import lazy_exports

__version__ = "0.1.0"

_HOME = {
    "ActivityCard": "rapport.widgets",
    "AnswerError": "rapport.journal",
    "ContentError": "rapport.content",
    "Journal": "rapport.journal",
    "Lesson": "rapport.lesson",
    "ReflectionBox": "rapport.widgets",
    "ScenarioPlayer": "rapport.widgets",
    "ScenarioRun": "rapport.scenario",
    "Store": "rapport.store",
    "get_store": "rapport.store",
    "load_manifest": "rapport.content",
    "load_module": "rapport.content",
    "open_module": "rapport.lesson",
}
__all__ = [
    "ActivityCard",
    "AnswerError",
    "ContentError",
    "Journal",
    "Lesson",
    "ReflectionBox",
    "ScenarioPlayer",
    "ScenarioRun",
    "Store",
    "get_store",
    "load_manifest",
    "load_module",
    "open_module",
]

if TYPE_CHECKING:
    from rapport.content import ContentError, load_manifest, load_module
    from rapport.journal import AnswerError, Journal
    from rapport.lesson import Lesson, open_module
    from rapport.scenario import ScenarioRun
    from rapport.store import Store, get_store
    from rapport.widgets import ActivityCard, ReflectionBox, ScenarioPlayer

__getattr__, __dir__ = lazy_exports(__name__, _HOME)
