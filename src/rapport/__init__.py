"""Rapport: an interactive workshop on building real human connection."""

from rapport.content import ContentError, load_manifest, load_module
from rapport.journal import AnswerError, Journal
from rapport.lesson import Lesson, open_module
from rapport.scenario import ScenarioRun
from rapport.store import Store, get_store
from rapport.widgets import ActivityCard, ReflectionBox, ScenarioPlayer

__version__ = "0.1.0"

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
