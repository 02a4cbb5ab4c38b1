"""Lesson: what a notebook's one-line cells call."""

import pytest

from rapport import open_module
from rapport.pages.lesson import Lesson
from rapport.widgets.activity import ActivityCard
from rapport.widgets.reflection import ReflectionBox
from rapport.widgets.scenario_player import ScenarioPlayer


def test_open_module_hands_out_each_kind_of_widget():
    lesson = open_module("05-listen")
    assert isinstance(lesson.scenario("the-mixer"), ScenarioPlayer)
    assert isinstance(lesson.reflection("rehearsing"), ReflectionBox)
    assert isinstance(lesson.activity("listening-trap"), ActivityCard)


def test_an_unknown_id_names_the_known_ones():
    with pytest.raises(KeyError, match="known: the-mixer, after-the-shift"):
        open_module("05-listen").scenario("the-party")


def test_finishing_a_scenario_records_it_for_the_learner(listen, store):
    lesson = Lesson(listen, learner="ana", store=store)
    player = lesson.scenario("the-mixer")
    while not player.finished:
        if player.asking_words:
            player.say_it("In my own words.")
        player.choice_buttons[0].click()
    [run] = store.runs("ana", "05-listen")
    assert run.scenario == "the-mixer"
    assert run.path == tuple(step.choice_index for step in player.run.steps)
    assert run.ending == player.node_id
    practice = store.entry("ana", "05-listen", "practice-the-mixer")
    assert practice is not None and "You wrote: In my own words." in practice.text


def test_reflections_are_saved_to_the_learner_journal(listen, store):
    lesson = Lesson(listen, learner="ana", store=store)
    box = lesson.reflection("felt-heard")
    box.answer.value = "My aunt."
    box.save_button.click()
    assert store.entry("ana", "05-listen", "felt-heard").text == "My aunt."


def test_the_summary_is_markdown(listen):
    assert (
        Lesson(listen)
        ._repr_markdown_()
        .startswith(f"**05 · Listen to understand**: {len(listen.scenarios)} role-plays")
    )


def test_reflections_offer_sharing_only_inside_a_live_room_for_the_module(store, monkeypatch):
    import secrets

    from rapport.content.loading import load_module
    from rapport.pages.lesson import Lesson
    from rapport.store.rooms import Rooms

    token = secrets.token_urlsafe(24)
    monkeypatch.setenv("HTTP_X_RAPPORT_TOKEN", token)
    listen = Lesson(load_module("05-listen"), learner="ana", store=store, room_store=store)
    assert listen.reflection("rehearsing").share_button.layout.display == "none"
    rooms = Rooms(store)
    code = rooms.create("05-listen").code
    rooms.join(code, token)
    listen = Lesson(load_module("05-listen"), learner="ana", store=store, room_store=store)
    box = listen.reflection("rehearsing")
    assert box.share_button.layout.display != "none"
    box.answer.value = "I rehearse when I'm nervous."
    box.share_button.click()
    assert [a.value for a in rooms.shared(code)] == ["I rehearse when I'm nervous."]
    other = Lesson(load_module("06-common-ground"), learner="ana", store=store, room_store=store)
    first = load_module("06-common-ground").reflections[0].id
    assert other.reflection(first).share_button.layout.display == "none"
