"""The workshop's widgets: thin views over the package's plain-Python logic.

The names below load on first use (PEP 562): a page that needs one widget module (the join
page needs ``rapport.widgets.room``) does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport._lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports(__name__, _HOME)
