"""The workshop's widgets: thin views over the package's plain-Python logic."""

from rapport.widgets.activity import ActivityCard
from rapport.widgets.assessment import AssessmentComparison, SelfAssessmentForm
from rapport.widgets.reflection import ReflectionBox
from rapport.widgets.scenario_player import ScenarioPlayer

__all__ = [
    "ActivityCard",
    "AssessmentComparison",
    "ReflectionBox",
    "ScenarioPlayer",
    "SelfAssessmentForm",
]
