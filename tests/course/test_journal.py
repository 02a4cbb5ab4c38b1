"""Journal: the rules for an answer; bad input never loses a saved answer."""

import pytest

from rapport.course.journal import MAX_ANSWER_CHARS, AnswerError, clean_answer
from rapport.store.journal import Journal


def test_answers_are_trimmed_and_line_endings_normalised():
    assert clean_answer("  hello\r\nthere \n") == "hello\nthere"


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_empty_answers_are_refused_with_a_clear_message(blank):
    with pytest.raises(AnswerError, match="Write something first"):
        clean_answer(blank)


def test_over_long_answers_name_the_length_and_the_limit():
    with pytest.raises(AnswerError, match=f"4,001 characters; the limit is {MAX_ANSWER_CHARS:,}"):
        clean_answer("x" * (MAX_ANSWER_CHARS + 1))


def test_a_refused_answer_leaves_the_saved_one_alone(store):
    journal = Journal("ana", store)
    journal.save("05-listen", "a", "my real answer")
    with pytest.raises(AnswerError):
        journal.save("05-listen", "a", "   ")
    with pytest.raises(AnswerError):
        journal.save("05-listen", "a", "x" * (MAX_ANSWER_CHARS + 1))
    assert journal.get("05-listen", "a").text == "my real answer"


def test_html_and_other_text_is_stored_exactly(store):
    journal = Journal("ana", store)
    payload = "<img src=x onerror=alert(1)> '; DROP TABLE journal; -- ✨ שלום"
    journal.save("05-listen", "a", payload)
    assert journal.get("05-listen", "a").text == payload
