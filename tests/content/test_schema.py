"""The content schema: what a module file may and must contain."""

import pytest
from pydantic import ValidationError

from rapport.content.scenarios import Meter, Reaction
from rapport.content.schema import Module, Scale


def test_the_sample_module_parses_with_typed_activities(sample):
    assert sample.number == 1
    assert sample.activity("vote").kind == "poll"
    assert sample.scenario("hello").node("greet").choices[0].routes[0].when == "trust >= 2"


def module_with(activity: dict) -> Module:
    return Module.model_validate(
        {
            "id": "02-x",
            "title": "X",
            "minutes": {"teaching": 1, "exercises": 1},
            "questions": ["q"],
            "objectives": ["o"],
            "activities": [activity],
        }
    )


def test_activities_are_typed_by_kind():
    scale = module_with({"id": "s", "kind": "scale", "prompt": "How?", "low": "no", "high": "yes"})
    assert isinstance(scale.activities[0], Scale)


def test_a_pair_exercise_needs_a_time_box():
    with pytest.raises(ValidationError, match="minutes"):
        module_with({"id": "p", "kind": "pair", "prompt": "Talk", "instructions": ["a"]})


def test_a_meter_must_start_inside_its_range():
    with pytest.raises(ValidationError, match=r"outside 0\.\.5"):
        Meter(id="trust", label="Trust", start=9)


def test_lookups_name_what_exists(sample):
    with pytest.raises(KeyError, match="known: hello"):
        sample.scenario("nope")


def test_blank_text_is_refused():
    with pytest.raises(ValidationError):
        Meter(id="trust", label="   ", start=1)


def test_a_reaction_says_or_shows_something():
    with pytest.raises(ValidationError, match="a cue, words"):
        Reaction()
    assert Reaction(cue="Sam looks at the floor.").says is None


def test_conditions_name_meters_choices_and_nodes():
    from rapport.content.scenarios import Route

    for when in ("trust >= 2", "took ask-more", "not took ask-more", "reached end", ["a < 1"]):
        assert Route(when=when, to="x").when == when
    with pytest.raises(ValidationError):
        Route(when="trust is high", to="x")


def test_a_plan_expects_something():
    from rapport.content.scenarios import Plan

    with pytest.raises(ValidationError, match="a plan expects something"):
        Plan(name="p", choose=["a"], expect={})


def test_a_debrief_asks_at_most_two_questions():
    from rapport.content.scenarios import Debrief

    with pytest.raises(ValidationError, match="at most 2"):
        Debrief(questions=["a?", "b?", "c?"])
