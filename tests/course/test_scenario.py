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
    from rapport.content.scenarios import Scenario

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
                    "choices": [
                        {"id": "go", "text": "Go", "coaching": "Ok.", "tone": "mixed", "to": "end"}
                    ],
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


# -- the conversation engine: reactions, order, own words, debriefs true to the path ----------
@pytest.fixture
def stairs():
    from rapport.content.loading import load_module

    from ..conftest import DATA

    return load_module("01-sample", DATA / "audit").scenario("the-stairs")


def test_a_choice_brings_the_other_persons_reaction_and_the_next_words(stairs):
    run = ScenarioRun(stairs)
    assert run.cue == "Lindiwe stops two steps above you."
    step = run.choose_id("ask")
    assert step.reaction.cue == "She sighs and sits on a step."
    assert step.said == "Long week. The launch moved again."
    assert run.says == "Honestly? I think they'll cut my team."


def test_the_order_of_options_is_shuffled_by_the_seed_and_kept(stairs):
    orders = {tuple(ScenarioRun(stairs, seed=s).order()) for s in range(12)}
    assert len(orders) > 1  # different seeds, different orders
    run = ScenarioRun(stairs, seed=7)
    first = run.order()
    assert sorted(first) == [0, 1, 2]
    assert ScenarioRun(stairs, seed=7).order() == first  # a reload: the same seed, the same order
    run.choose(first[0])
    run.back()
    assert run.order() == first
    run.choose(first[1])
    run.restart()
    assert run.order() == first
    assert ScenarioRun(stairs).order() == [0, 1, 2]  # no seed: as written (plans, maps)
    assert [c.id for _, c in ScenarioRun(stairs, seed=7).options] == [
        stairs.node("stairs").choices[i].id for i in first
    ]


def test_own_words_stay_with_the_step_and_reach_the_debrief(stairs):
    run = ScenarioRun(stairs)
    run.choose_id("ask", words="  Again?! How are you doing with that?  ")
    for choice in ("name-it", "stay", "lunch-yes"):
        run.choose_id(choice)
    debrief = run.debrief()
    assert debrief.words == {"stairs": "Again?! How are you doing with that?"}
    assert debrief.steps[0].words == "Again?! How are you doing with that?"
    assert debrief.steps[1].words is None


def test_debrief_lines_show_only_what_happened_on_this_path(stairs):
    run = ScenarioRun(stairs)
    for choice in ("ask", "name-it", "stay", "lunch-yes"):
        run.choose_id(choice)
    assert [line.id for line in run.debrief().lines] == ["reflected"]
    run.restart()
    for choice in ("cheer", "repair", "plan", "lunch-maybe"):
        run.choose_id(choice)
    assert [line.id for line in run.debrief().lines] == ["repaired"]
    assert run.debrief().questions == ("When did Lindiwe start to say more?",)


def test_turning_points_are_where_another_choice_led_elsewhere(stairs):
    run = ScenarioRun(stairs)
    for choice in ("ask", "name-it", "stay", "lunch-yes"):
        run.choose_id(choice)
    turns = run.debrief().turns
    first = turns[0]
    assert first.turning_point  # "cheer" and "same" would have led to "polite"
    assert {(c.id, target) for c, target in first.elsewhere} == {
        ("cheer", "polite"),
        ("same", "polite"),
    }
    assert not turns[2].turning_point  # at "deeper" every choice leads to lunch
    assert {c.id for c, _ in turns[3].elsewhere} == {"lunch-maybe", "lunch-no"}


def test_conditions_read_choices_taken_and_nodes_reached():
    from rapport.course.scenario import Context

    context = Context({"trust": 2}, frozenset({"ask"}), frozenset({"stairs", "opens"}))
    assert holds("took ask", context) and not holds("not took ask", context)
    assert holds("not took same", context) and holds("reached opens", context)
    assert not holds("reached polite", context)


def test_a_choice_by_an_id_that_is_not_there_is_refused_plainly(stairs):
    run = ScenarioRun(stairs)
    with pytest.raises(KeyError, match="node 'stairs' has no choice 'stay'"):
        run.choose_id("stay")
