"""The room's own evaluation as the room runs it: rating references, the sets a facilitator
opens, the answers they take, and each statement's change worked out by hand."""

import pytest

from rapport.content.loading import load_assessment
from rapport.errors import AnswerRejected, RoomError
from rapport.room.rating import (
    REACTION,
    Rating,
    changes,
    check_showable,
    clean_ratings,
    rating_set,
    reactions,
    statements_for,
)
from rapport.room.refs import ActivityRef

ITEMS = load_assessment().items
LISTEN = statements_for(["05-listen"])
FORWARD = next(i for i in LISTEN if not i.reverse)
REVERSED = next(i for i in LISTEN if i.reverse)
STATE = {"rating": {"items": [i.id for i in LISTEN], "back": True}}


def test_a_rating_reference_is_written_and_read_in_one_format():
    for ref in (
        ActivityRef.rating("start"),
        ActivityRef.rating("end", FORWARD.id),
        ActivityRef.rating("back", FORWARD.id),
        ActivityRef.rating("reaction", "word"),
    ):
        assert ActivityRef.parse(str(ref)) == ref
        assert ref.is_rating and not ref.is_vote
    assert str(ActivityRef.rating("end", "listen-1")) == "rating:end:listen-1"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ActivityRef.rating("midway"), "a rating is one of"),
        (lambda: ActivityRef("activity", "how-hard", item="x"), "only a rating names"),
        (lambda: ActivityRef.rating("end", "a:b"), "only a rating names"),
        (lambda: ActivityRef.parse("rating:later"), "a rating is one of"),
    ],
)
def test_a_malformed_rating_reference_is_refused_with_a_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_statements_are_those_of_the_sessions_modules():
    assert {i.module for i in LISTEN} == {"05-listen"} and len(LISTEN) >= 2
    two = statements_for(["05-listen", "09-empathy"])
    assert {i.module for i in two} == {"05-listen", "09-empathy"}
    # The welcome has no statements of its own: one forward statement per principle instead.
    welcome = statements_for(["00-welcome"])
    principles = {i.module for i in ITEMS}
    assert {i.module for i in welcome} == principles and not any(i.reverse for i in welcome)
    assert len(welcome) == len(principles)


def test_the_end_asks_looking_back_only_when_the_facilitator_asked():
    end = rating_set(ActivityRef.rating("end"), STATE)
    assert end.looking_back and [i.id for i in end.items] == STATE["rating"]["items"]
    assert ActivityRef.rating("back", FORWARD.id) in end.answers()
    start = rating_set(ActivityRef.rating("start"), STATE)
    assert not start.looking_back and len(start.answers()) == len(LISTEN)
    reaction = rating_set(ActivityRef.rating("reaction"), {})
    assert [a.item for a in reaction.answers()] == [q.id for q in REACTION]
    assert f"{len(LISTEN)} statements, and looking back" in end.prompt


def test_only_a_whole_set_goes_on_screen_and_is_never_revealed():
    check_showable(ActivityRef.rating("start"), "open")
    check_showable(ActivityRef.rating("end"), "closed")
    with pytest.raises(RoomError, match="never shown to the room"):
        check_showable(ActivityRef.rating("end"), "revealed")
    with pytest.raises(RoomError, match="as a whole"):
        check_showable(ActivityRef.rating("back"), "open")
    with pytest.raises(RoomError, match="not a rating set"):
        rating_set(ActivityRef.rating("start", FORWARD.id), STATE)


def test_answers_are_cleaned_blank_ones_skipped_and_bad_ones_explained():
    start = rating_set(ActivityRef.rating("start"), STATE)
    now = ActivityRef.rating("start", FORWARD.id)
    assert clean_ratings(start, {now: 4, str(ActivityRef.rating("start", REVERSED.id)): None}) == {
        now: "4"
    }
    with pytest.raises(AnswerRejected, match="Rate each statement from 1 to 5"):
        clean_ratings(start, {now: 7})
    with pytest.raises(AnswerRejected, match="Answer at least one statement"):
        clean_ratings(start, {now: None})
    with pytest.raises(AnswerRejected, match="not part of this rating"):
        clean_ratings(start, {ActivityRef.rating("end", FORWARD.id): 3})
    with pytest.raises(AnswerRejected, match="not part of this rating"):
        clean_ratings(start, {"rating:someday:x": 3})
    reaction = rating_set(ActivityRef.rating("reaction"), {})
    word, tried = ActivityRef.rating("reaction", "word"), ActivityRef.rating("reaction", "try")
    with pytest.raises(AnswerRejected, match="One word, please"):
        clean_ratings(reaction, {word: "x" * 31})
    assert clean_ratings(reaction, {tried: "  Ask one more question  ", word: ""}) == {
        tried: "Ask one more question"
    }


def rated(moment: str, item, values: dict[str, int]) -> list[Rating]:
    return [Rating(ActivityRef.rating(moment, item.id), who, str(v)) for who, v in values.items()]


def test_each_statements_change_is_paired_per_person_and_worked_out_by_hand():
    people = ["p1", "p2", "p3", "p4", "p5"]
    start = dict(zip(people, [2, 3, 2, 4, 3], strict=True))
    end = dict(zip(people, [4, 4, 3, 4, 5], strict=True))
    ratings = [
        *rated("start", FORWARD, {**start, "only-at-start": 1}),
        *rated("end", FORWARD, {**end, "only-at-end": 5}),
        # The reversed statement, answered so that its scores (6 - rating) match the above:
        *rated("start", REVERSED, {p: 6 - v for p, v in start.items()}),
        *rated("end", REVERSED, {p: 6 - v for p, v in end.items()}),
    ]
    forward, backward = changes(ratings, [FORWARD, REVERSED])
    assert (forward.started, forward.ended) == (6, 6)
    assert forward.change.pairs == 5 and forward.looked_back is None
    # changes 2 1 1 0 2: mean 1.2, sd sqrt(0.7); t(0.975, 4) = 2.776445
    half = 2.776445 * 0.7**0.5 / 5**0.5
    assert forward.change.mean_change == pytest.approx(1.2)
    assert (forward.change.low, forward.change.high) == pytest.approx((1.2 - half, 1.2 + half))
    assert forward.change.hedges_g == pytest.approx(1.2 / 0.7**0.5 * (1 - 3 / 15))
    # Agreeing less with a reversed statement is a gain: the same change, not its opposite.
    assert backward.change.mean_change == pytest.approx(1.2)
    assert backward.change.hedges_g == pytest.approx(forward.change.hedges_g)


def test_under_five_pairs_no_figures_only_how_many_more():
    ratings = [
        *rated("start", FORWARD, {"a": 2, "b": 3, "c": 4}),
        *rated("end", FORWARD, {"a": 3, "b": 3, "d": 5}),
    ]
    [result] = changes(ratings, [FORWARD])
    assert result.change.pairs == 2 and result.change.needed == 3
    assert result.change.mean_change is None and result.change.low is None


def test_looking_back_pairs_with_the_end():
    people = {f"p{n}": n % 3 + 2 for n in range(5)}
    ratings = [
        *rated("back", FORWARD, {p: v - 1 for p, v in people.items()}),
        *rated("end", FORWARD, people),
    ]
    [result] = changes(ratings, [FORWARD])
    assert result.change.pairs == 0 and result.looked_back is not None
    assert result.looked_back.mean_change == pytest.approx(1.0)


def test_reactions_are_kept_per_question():
    ratings = [
        Rating(ActivityRef.rating("reaction", "useful"), "a", "4"),
        Rating(ActivityRef.rating("reaction", "word"), "a", "calm"),
        Rating(ActivityRef.rating("reaction", "try"), "b", "Listen first"),
        Rating(ActivityRef.rating("start", FORWARD.id), "a", "2"),
    ]
    found = reactions(ratings)
    assert (found.useful, found.tries, found.words) == ((4,), ("Listen first",), ("calm",))
