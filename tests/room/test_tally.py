"""Answers to group activities: limits, cleaning and tallies."""

import pytest

from rapport.content.schema import OneWord, OpenText, PairExercise, Poll, Scale
from rapport.room.tally import MIN_TO_REVEAL, AnswerRejected, clean_answer, tally

POLL = Poll(id="p", kind="poll", prompt="Which?", options=["Tea", "Coffee", "Water"])
SCALE = Scale(id="s", kind="scale", prompt="How?", low="low", high="high")
WORD = OneWord(id="w", kind="word", prompt="One word")
TEXT = OpenText(id="t", kind="text", prompt="Say more")
PAIR = PairExercise(id="x", kind="pair", prompt="Talk", instructions=["a"], minutes=5)


def test_polls_take_an_option_index():
    assert clean_answer(POLL, 1) == "1"
    assert clean_answer(POLL, "2") == "2"
    for bad in (3, -1, "tea", None):
        with pytest.raises(AnswerRejected, match="Pick one of the options"):
            clean_answer(POLL, bad)


def test_scales_take_1_to_5():
    assert clean_answer(SCALE, 5) == "5"
    with pytest.raises(AnswerRejected, match="from 1 to 5"):
        clean_answer(SCALE, 6)


def test_one_word_is_limited_to_30_characters():
    assert clean_answer(WORD, "  hopeful ") == "hopeful"
    with pytest.raises(AnswerRejected, match="up to 30 characters"):
        clean_answer(WORD, "x" * 31)


def test_text_is_limited_to_280_characters_and_keeps_its_wording():
    payload = "<img src=x onerror=alert(1)> ✨ שלום '; DROP TABLE rooms; --"
    assert clean_answer(TEXT, payload) == payload
    with pytest.raises(AnswerRejected, match="Keep it to 280 characters; that answer has 281"):
        clean_answer(TEXT, "x" * 281)


def test_control_characters_are_removed_and_empty_answers_refused():
    assert clean_answer(TEXT, "a\x00b\x07c\nd") == "a b c\nd"
    with pytest.raises(AnswerRejected, match="Write something first"):
        clean_answer(WORD, " \x00 ")


def test_pair_exercises_take_no_answers():
    with pytest.raises(AnswerRejected, match="pair exercise"):
        clean_answer(PAIR, "hi")


def test_poll_tally_counts_every_option_including_zero():
    result = tally(POLL, ["0", "1", "1", "1"])
    assert result.table.to_dict("list") == {
        "option": ["Tea", "Coffee", "Water"],
        "votes": [1, 3, 0],
    }
    assert result.count == 4 and result.revealable


def test_scale_tally_has_distribution_and_mean():
    result = tally(SCALE, ["1", "2", "2", "5"])
    assert result.table["count"].tolist() == [1, 2, 0, 0, 1]
    assert result.mean == pytest.approx(2.5)


def test_words_are_folded_by_case_and_spacing_and_ranked():
    result = tally(WORD, ["Hope", "hope", "HOPE ", "calm", "brave", "Calm"])
    assert result.table.to_dict("records") == [
        {"word": "hope", "count": 3},
        {"word": "calm", "count": 2},
        {"word": "brave", "count": 1},
    ]


def test_results_stay_hidden_below_three_answers():
    assert MIN_TO_REVEAL == 3
    assert not tally(TEXT, ["a", "b"]).revealable
    assert tally(TEXT, ["a", "b", "c"]).texts == ("a", "b", "c")
