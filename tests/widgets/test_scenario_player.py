"""ScenarioPlayer: the role-play widget, driven headless through its traits and .click()."""

import pytest

from rapport.content.loading import load_module
from rapport.store.journal import Journal
from rapport.widgets.reflection import ReflectionBox
from rapport.widgets.scenario_player import WHY, ScenarioPlayer

from ..conftest import DATA


@pytest.fixture
def stairs():
    return load_module("01-sample", DATA / "audit").scenario("the-stairs")


def labels(player):
    return [b.description for b in player.choice_buttons]


def click(player, text: str) -> None:
    """Click the option whose label holds ``text``, wherever the shuffle put it."""
    [button] = [b for b in player.choice_buttons if text in b.description]
    button.click()


def test_shows_the_first_words_cue_and_the_options_numbered_as_shown(stairs):
    player = ScenarioPlayer(stairs, seed=3)
    assert "Long week. The launch moved again." in player.current.value
    assert "Lindiwe stops two steps above you." in player.current.value
    texts = [choice.text for _, choice in player.run.options]
    assert labels(player) == [f"{n}. {t}" for n, t in enumerate(texts, start=1)]
    assert player.node_id == "stairs" and player.steps_taken == 0
    assert player.back_button.disabled and player.restart_button.disabled
    assert "helped" not in player.current.value  # no verdict before a choice


def test_the_reaction_comes_first_and_the_coaching_opens_on_request(stairs):
    player = ScenarioPlayer(stairs, seed=3)
    click(player, "Moved again?")
    shown = player.current.value
    assert "She sighs and sits on a step." in shown  # the reaction
    assert "Honestly? I think they" in shown  # and what she says next
    assert "This helped" not in shown and player.coaching.value == ""
    assert not player.coaching_open and player.why_button.description == WHY
    player.why_button.click()
    assert player.coaching_open
    assert "This helped the connection." in player.coaching.value
    assert "You asked about her." in player.coaching.value and "Trust +1." in player.coaching.value
    player.why_button.click()
    assert player.coaching.value == ""


def test_immediate_coaching_shows_with_the_reaction_and_at_end_waits(stairs):
    immediate = ScenarioPlayer(stairs.model_copy(update={"coaching": "immediate"}))
    click(immediate, "Moved again?")
    assert immediate.coaching_open and "You asked about her." in immediate.coaching.value
    assert immediate.why_button.layout.display == "none"
    later = ScenarioPlayer(stairs.model_copy(update={"coaching": "at-end"}))
    click(later, "Moved again?")
    later.toggle_coaching()
    assert later.coaching.value == "" and later.why_button.layout.display == "none"
    for text in ("So it's the team", "glad you did", "you pick the place"):
        click(later, text)
    assert "You asked about her." in later.debrief_view.value  # gathered in the debrief


def test_the_order_is_shuffled_by_seed_and_kept_when_going_back(stairs):
    orders = {tuple(labels(ScenarioPlayer(stairs, seed=s))) for s in range(10)}
    assert len(orders) > 1
    player = ScenarioPlayer(stairs, seed=5)
    first = labels(player)
    assert labels(ScenarioPlayer(stairs, seed=5)) == first  # a reload
    player.choice_buttons[0].click()
    player.back_button.click()
    assert labels(player) == first
    player.choice_buttons[2].click()
    player.restart_button.click()
    assert labels(player) == first


def test_saying_it_your_own_way_first_is_kept_privately_and_shown_in_the_debrief(stairs):
    nodes = [n.model_copy(update={"your_words": n.id == "stairs"}) for n in stairs.nodes]
    player = ScenarioPlayer(stairs.model_copy(update={"nodes": nodes}))
    assert player.asking_words and player.choices.layout.display == "none"
    player.words_box.value = "Again? Are you holding up?"
    player.show_options_button.click()
    assert not player.asking_words and player.choices.layout.display == "flex"
    click(player, "Moved again?")
    assert "Again? Are you holding up?" in player.current.value
    for text in ("So it's the team", "glad you did", "you pick the place"):
        click(player, text)
    debrief = player.debrief_view.value
    assert "In your own words:" in debrief and "Again? Are you holding up?" in debrief
    assert player.run.debrief().words == {"stairs": "Again? Are you holding up?"}


def test_skipping_own_words_is_one_click(stairs):
    nodes = [
        n.model_copy(update={"your_words": True}) if not n.is_ending else n for n in stairs.nodes
    ]
    player = ScenarioPlayer(stairs.model_copy(update={"nodes": nodes}))
    player.skip_button.click()
    click(player, "Moved again?")
    assert player.asking_words  # asked again at the next node
    player.skip_button.click()
    assert player.run.steps[0].words is None


def test_the_debrief_replays_the_path_turning_points_and_lines_true_to_it(stairs):
    finished = []
    player = ScenarioPlayer(stairs, on_finish=finished.append)
    for text in ("It'll be fine", "Wait, I didn't", "write down", "Maybe, if"):
        click(player, text)
    assert player.finished and player.choice_buttons == []
    debrief = player.debrief_view.value
    assert "A friendly chat, no more." in debrief  # the ending's own words
    assert "You noticed you had drifted and came back." in debrief  # true to this path
    assert "Naming her worry helped." not in debrief  # a line for another path
    assert "A turning point." in debrief and "Moved again? How is that landing?" in debrief
    assert "Kind, and a bit quick." in debrief  # the coaching of each choice
    assert [d.ending_id for d in finished] == ["fine"]


def test_debrief_questions_are_answered_into_the_journal(stairs, store):
    player = ScenarioPlayer(
        stairs,
        journal_box=lambda prompt: ReflectionBox(
            "01-sample", prompt, lambda: Journal("ana", store)
        ),
    )
    for text in ("Moved again?", "So it's the team", "glad you did", "you pick the place"):
        click(player, text)
    [_intro, box] = player.journal_boxes.children
    assert box.prompt.prompt == "When did Lindiwe start to say more?"
    box.answer.value = "When I named the team."
    assert box.save()
    assert store.entry("ana", "01-sample", "debrief-the-stairs-1").text == "When I named the team."
    player.back_button.click()
    assert player.journal_boxes.children == ()


def test_hidden_meters_are_not_shown(stairs):
    meters = [m.model_copy(update={"hidden": True}) for m in stairs.meters]
    player = ScenarioPlayer(stairs.model_copy(update={"meters": meters}))
    assert player.meters.value == ""
    click(player, "Moved again?")
    player.why_button.click()
    assert "Trust" not in player.coaching.value


def test_a_failing_recorder_does_not_break_the_conversation(sample):
    def broken(_debrief):
        raise OSError("disk full")

    player = ScenarioPlayer(sample.scenario("hello"), on_finish=broken)
    click(player, "Look away")
    click(player, "Leave")
    assert "could not be recorded" in player.status.value
    assert "Debrief" in player.debrief_view.value


def test_content_text_is_escaped(sample):
    scenario = sample.scenario("hello").model_copy(update={"intro": "<script>alert(1)</script>"})
    player = ScenarioPlayer(scenario)
    assert "<script>" not in player.heading.value
    assert "&lt;script&gt;" in player.heading.value


def test_earlier_exchanges_are_kept_in_a_transcript(stairs):
    player = ScenarioPlayer(stairs)
    assert player.transcript.value == ""
    click(player, "Moved again?")
    click(player, "So it's the team")
    assert "The conversation so far (1 exchange)" in player.transcript.value


def test_plays_a_shipped_scenario_to_an_ending(listen):
    player = ScenarioPlayer(listen.scenario("the-mixer"), seed=1)
    while not player.finished:
        player.choice_buttons[0].click()
    assert "Debrief" in player.debrief_view.value


def test_repr_is_short_and_stable(sample):
    assert repr(ScenarioPlayer(sample.scenario("hello"))) == "ScenarioPlayer('hello')"
