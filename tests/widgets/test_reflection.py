"""ReflectionBox: the journal widget, driven headless with .click()."""

import pytest
from sqlalchemy.exc import OperationalError

from rapport.course.journal import MAX_ANSWER_CHARS
from rapport.store.journal import Journal
from rapport.widgets.reflection import ReflectionBox


@pytest.fixture
def box(sample, store):
    return make_box(sample, store)


def make_box(sample, store, learner="ana"):
    return ReflectionBox("01-sample", sample.reflection("note"), lambda: Journal(learner, store))


def test_saves_an_answer_and_shows_it_when_opened_again(sample, store, box):
    box.answer.value = "  I noticed my phone.  "
    box.save_button.click()
    assert "Saved in your journal" in box.status.value
    assert box.answer.value == "  I noticed my phone.  "  # the box is left as typed
    again = make_box(sample, store)
    assert again.answer.value == "I noticed my phone."
    assert "Your saved answer from" in again.status.value


def test_words_that_arrive_after_a_save_are_never_overwritten(sample, store, box):
    # The box sends its text when it loses focus, in one message, so Save sees all of it.
    assert box.answer.continuous_update is False
    box.answer.value = "I noticed my phone"
    box.save_button.click()
    box.answer.value = "  I noticed my phone\r\n"  # blanks and line endings are not changes
    assert "Saved in your journal" in box.status.value
    box.answer.value = "I noticed my phone. Then I put it away."  # typed after the save
    assert box.answer.value.endswith("put it away.")
    assert "unsaved changes" in box.status.value


def test_another_learner_does_not_see_it(sample, store, box):
    box.answer.value = "mine"
    box.save_button.click()
    assert make_box(sample, store, learner="ben").answer.value == ""


def test_an_empty_answer_gets_a_message_and_keeps_the_saved_one(sample, store, box):
    box.answer.value = "first"
    box.save_button.click()
    box.answer.value = "   "
    box.save_button.click()
    assert "Write something first" in box.status.value
    assert "Your saved answer is unchanged." in box.status.value
    assert make_box(sample, store).answer.value == "first"


def test_an_over_long_answer_is_not_saved_and_stays_in_the_box(sample, store, box):
    long = "x" * (MAX_ANSWER_CHARS + 10)
    box.answer.value = long
    box.save_button.click()
    assert "the limit is 4,000" in box.status.value
    assert box.answer.value == long
    assert make_box(sample, store).answer.value == ""


def test_editing_warns_about_unsaved_changes(box):
    box.answer.value = "first"
    box.save_button.click()
    box.answer.value = "first, then more"
    assert "unsaved changes" in box.status.value


def test_delete_asks_first_and_can_be_cancelled(sample, store, box):
    box.answer.value = "keep me"
    box.save_button.click()
    box.delete_button.click()
    assert box.confirm_row.layout.display == "flex"
    box.cancel_button.click()
    assert box.confirm_row.layout.display == "none"
    assert make_box(sample, store).answer.value == "keep me"


def test_delete_removes_the_saved_answer(sample, store, box):
    box.answer.value = "delete me"
    box.save_button.click()
    box.delete_button.click()
    box.confirm_button.click()
    assert "deleted" in box.status.value
    assert box.answer.value == ""
    assert box.delete_button.disabled
    assert make_box(sample, store).answer.value == ""


def test_nothing_to_delete_is_said_plainly(box):
    box.ask_delete()
    assert "no saved answer" in box.status.value


def test_an_unavailable_store_keeps_the_text_and_says_so(sample, box, monkeypatch):
    box.answer.value = "precious words"

    def fail(*_args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    import rapport.store.database

    monkeypatch.setattr(rapport.store.database, "upsert", fail)  # the database fails under it
    box.save_button.click()
    assert "could not be reached" in box.status.value
    assert box.answer.value == "precious words"


def test_the_prompt_is_escaped(sample, store):
    prompt = sample.reflection("note").model_copy(update={"prompt": "<b>bold</b>?"})
    box = ReflectionBox("01-sample", prompt, lambda: Journal("ana", store))
    assert "<b>bold</b>" not in box.prompt_view.value


def test_the_answer_box_has_a_label(box):
    assert box.answer.description == "Your answer"
