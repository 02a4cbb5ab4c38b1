"""ActivityCard: how each kind of group activity reads on its own."""

from rapport.widgets.activity import ActivityCard


def test_a_poll_lists_its_options(listen):
    card = ActivityCard(listen.activity("listening-trap"))
    assert "Group activity · Poll" in card.card.value
    assert "<li>Rehearsing my reply</li>" in card.card.value


def test_a_pair_exercise_shows_steps_and_time_box(listen):
    card = ActivityCard(listen.activity("three-minute-listen"))
    assert "Time box: 10 minutes." in card.card.value
    assert card.card.value.count("<li>") == 4


def test_a_scale_names_both_ends(listen):
    card = ActivityCard(listen.activity("how-hard"))
    assert "1 = Easy for me · 5 = Very hard for me" in card.card.value
