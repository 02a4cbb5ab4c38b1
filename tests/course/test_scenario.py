"""ScenarioRun: the role-play state machine, with no widgets."""

import pytest

from rapport.course.scenario import ScenarioRun, holds


def test_starts_at_the_start_node_with_starting_meters(sample):
    run = ScenarioRun(sample.scenario("hello"))
    assert run.node.id == "greet"
    assert run.state == {"trust": 1}
    assert not run.finished
    assert run.steps == ()


def test_a_choice_applies_its_effects_and_routes_on_the_new_state(sample):
    run = ScenarioRun(sample.scenario("hello"))
    step = run.choose(0)  # Wave: trust 1 -> 2, and "trust >= 2" leads to "warm"
    assert step.changes == {"trust": 1}
    assert run.state == {"trust": 2}
    assert run.node.id == "warm"


def test_routes_fall_through_to_the_unconditional_one(sample):
    run = ScenarioRun(sample.scenario("hello"))
    run.choose(1)  # Look away: trust 1 -> 0
    assert run.node.id == "cool"


def test_meters_are_clamped_to_their_range(sample):
    run = ScenarioRun(sample.scenario("hello"))
    run.choose(1)
    assert run.state["trust"] == 0
    run.back()
    run.choose(0)
    run.choose(0)  # Hug: trust 2 -> 3 (the maximum)
    assert run.state["trust"] == 3


def test_variants_change_what_is_said_when_their_condition_holds():
    from rapport.content.schema import Scenario

    scenario = Scenario.model_validate(
        {
            "id": "s",
            "title": "S",
            "setting": "work",
            "character": {"name": "Kofi", "about": "a colleague"},
            "intro": "Hi.",
            "meters": [{"id": "trust", "label": "Trust", "start": 3}],
            "start": "a",
            "nodes": [
                {
                    "id": "a",
                    "says": "Plain.",
                    "variants": [{"when": "trust >= 3", "says": "Warm."}],
                    "choices": [{"text": "Go", "feedback": "Ok.", "tone": "mixed", "to": "end"}],
                },
                {"id": "end", "says": "Bye.", "debrief": "Done."},
            ],
        }
    )
    assert ScenarioRun(scenario).says == "Warm."


def test_every_path_ends_in_a_debrief_that_summarises_it(sample):
    run = ScenarioRun(sample.scenario("hello"))
    run.choose(1)
    run.choose(1)
    assert run.finished
    debrief = run.debrief()
    assert debrief.scenario_id == "hello"
    assert debrief.ending_id == "end-bad"
    assert debrief.debrief == "Coldness cost something."
    assert [s.choice.text for s in debrief.steps] == ["Look away", "Leave"]
    assert debrief.tones == {"helps": 0, "mixed": 0, "hurts": 2}
    assert debrief.state == {"trust": 0}


def test_back_undoes_one_step_and_restart_clears_all(sample):
    run = ScenarioRun(sample.scenario("hello"))
    assert run.back() is False
    run.choose(0)
    run.choose(1)
    assert run.back() is True
    assert run.node.id == "warm"
    assert run.state == {"trust": 2}
    run.restart()
    assert run.node.id == "greet"
    assert run.state == {"trust": 1}


def test_choosing_after_the_end_or_out_of_range_is_refused(sample):
    run = ScenarioRun(sample.scenario("hello"))
    with pytest.raises(IndexError, match=r"choices 0\.\.1"):
        run.choose(5)
    run.choose(1)
    run.choose(1)
    with pytest.raises(ValueError, match="has ended"):
        run.choose(0)


def test_debrief_before_the_end_is_refused(sample):
    with pytest.raises(ValueError, match="not ended"):
        ScenarioRun(sample.scenario("hello")).debrief()


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("trust >= 2", True),
        ("trust > 2", False),
        ("trust == 2", True),
        ("trust != 2", False),
        ("trust < 3", True),
        ("trust <= 1", False),
    ],
)
def test_conditions(condition, expected):
    assert holds(condition, {"trust": 2}) is expected


def test_conditions_on_unknown_meters_are_errors():
    with pytest.raises(KeyError, match="unknown meter"):
        holds("warmth >= 1", {"trust": 2})


def test_every_ending_of_the_shipped_scenarios_is_reachable(listen):
    """Walk every path of module 05: each ends in a debrief, and every ending is reached."""
    for scenario in listen.scenarios:
        endings: set[str] = set()

        def walk(run: ScenarioRun, depth: int = 0, endings=endings) -> None:
            assert depth < 20, "a path that never ends"
            if run.finished:
                assert run.debrief().debrief
                endings.add(run.node.id)
                return
            for i in range(len(run.node.choices)):
                run.choose(i)
                walk(run, depth + 1)
                run.back()

        walk(ScenarioRun(scenario))
        assert endings == {n.id for n in scenario.nodes if n.is_ending}
