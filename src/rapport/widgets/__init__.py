"""The workshop's widgets: thin views over the package's plain-Python logic.

The names below load on first use (PEP 562): a page that needs one widget module (the join
page needs ``rapport.widgets.room``) does not load the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {
    "ActivityCard": "rapport.widgets.activity",
    "AssessmentComparison": "rapport.widgets.assessment",
    "ReflectionBox": "rapport.widgets.reflection",
    "ScenarioPlayer": "rapport.widgets.scenario_player",
    "SelfAssessmentForm": "rapport.widgets.assessment",
}
__all__ = [
    "ActivityCard",
    "AssessmentComparison",
    "ReflectionBox",
    "ScenarioPlayer",
    "SelfAssessmentForm",
]

if TYPE_CHECKING:
    from rapport.widgets.activity import ActivityCard
    from rapport.widgets.assessment import AssessmentComparison, SelfAssessmentForm
    from rapport.widgets.reflection import ReflectionBox
    from rapport.widgets.scenario_player import ScenarioPlayer


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'rapport.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])
