"""ScenarioPlayer: the role-play widget, driven headless with .click()."""

from rapport.widgets.scenario_player import ScenarioPlayer


def labels(player):
    return [b.description for b in player.choice_buttons]


def test_shows_the_first_node_and_its_choices(sample):
    player = ScenarioPlayer(sample.scenario("hello"))
    assert "Hi!" in player.current.value
    assert labels(player) == ["1. Wave", "2. Look away"]
    assert "Trust: 1 of 3" in player.meters.value
    assert player.back_button.disabled and player.restart_button.disabled


def test_clicking_a_choice_shows_feedback_and_the_consequence(sample):
    player = ScenarioPlayer(sample.scenario("hello"))
    player.choice_buttons[0].click()
    assert "This helps the connection." in player.current.value
    assert "Friendly and simple." in player.current.value
    assert "Trust +1." in player.current.value
    assert "Good to see you." in player.current.value
    assert "Trust: 2 of 3" in player.meters.value
    assert not player.back_button.disabled


def test_playing_to_the_end_shows_a_debrief_of_the_path(sample):
    finished = []
    player = ScenarioPlayer(sample.scenario("hello"), on_finish=finished.append)
    player.choice_buttons[1].click()
    player.choice_buttons[1].click()
    assert player.choice_buttons == []
    debrief = player.debrief_view.value
    assert "Debrief" in debrief and "Coldness cost something." in debrief
    assert "0 choices helped, 0 half-helped, 2 cost something." in debrief
    assert "Look away" in debrief and "Leave" in debrief
    assert [d.ending_id for d in finished] == ["end-bad"]


def test_back_and_restart_buttons(sample):
    player = ScenarioPlayer(sample.scenario("hello"))
    player.choice_buttons[0].click()
    player.choice_buttons[0].click()
    assert player.run.finished
    player.back_button.click()
    assert not player.run.finished and player.debrief_view.value == ""
    assert labels(player) == ["1. Hug", "2. Nod"]
    player.restart_button.click()
    assert player.run.steps == ()
    assert labels(player) == ["1. Wave", "2. Look away"]


def test_earlier_exchanges_are_kept_in_a_transcript(sample):
    player = ScenarioPlayer(sample.scenario("hello"))
    assert player.transcript.value == ""
    player.choice_buttons[0].click()
    player.choice_buttons[0].click()
    assert "The conversation so far (1 exchange)" in player.transcript.value


def test_a_failing_recorder_does_not_break_the_conversation(sample):
    def broken(_debrief):
        raise OSError("disk full")

    player = ScenarioPlayer(sample.scenario("hello"), on_finish=broken)
    player.choice_buttons[1].click()
    player.choice_buttons[1].click()
    assert "could not be recorded" in player.status.value
    assert "Debrief" in player.debrief_view.value


def test_content_text_is_escaped(sample):
    scenario = sample.scenario("hello").model_copy(update={"intro": "<script>alert(1)</script>"})
    player = ScenarioPlayer(scenario)
    assert "<script>" not in player.heading.value
    assert "&lt;script&gt;" in player.heading.value


def test_plays_a_shipped_scenario_to_its_best_ending(listen):
    player = ScenarioPlayer(listen.scenario("the-mixer"))
    for index in (1, 0, 0):  # ask about her, reflect, ask what would help
        player.choice_buttons[index].click()
    assert player.run.node.id == "connected"
    assert "Dana left feeling understood" in player.debrief_view.value


def test_repr_is_short_and_stable(sample):
    assert repr(ScenarioPlayer(sample.scenario("hello"))) == "ScenarioPlayer('hello')"
