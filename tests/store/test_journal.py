"""The journal service: challenges, browsing and searching, exports, deleting everything, and
keeping learners apart."""

import pytest

from rapport.content.loading import load_module
from rapport.course.journal import CHECK_IN, export_html, export_markdown
from rapport.store.journal import Journal

XSS = "<script>alert(1)</script>"


def fill_journal(store, learner="ana"):
    store.save_entry(learner, "05-listen", "rehearsing", "I plan replies.\n\nEspecially at work.")
    store.save_entry(learner, "02-stay-true", "fitting-in", f"I laugh along. {XSS}")
    store.save_entry(learner, "11-forgive-with-boundaries", "what-forgiveness-is", "Letting go")


def test_challenges_are_accepted_once_and_checked_in(store):
    first = store.accept_challenge("ana", "05-listen")
    again = store.accept_challenge("ana", "05-listen")
    assert again.accepted_at == first.accepted_at and again.status is None
    assert store.check_in("ana", "05-listen", "partly").status == "partly"
    assert store.check_in("ana", "05-listen", "did").status == "did"
    with pytest.raises(ValueError, match="status must be one of did, partly, not-yet"):
        store.check_in("ana", "05-listen", "maybe")
    assert store.challenge("ben", "05-listen") is None


def test_the_journal_is_browsed_by_module_and_searched_by_words(store):
    fill_journal(store)
    everything = Journal("ana", store).items()
    assert everything[0].module == "11-forgive-with-boundaries"  # newest first
    assert [i.prompt for i in Journal("ana", store).items(module="05-listen")] == ["rehearsing"]
    assert [i.module for i in Journal("ana", store).items(search="LAUGH along")] == ["02-stay-true"]
    assert Journal("ana", store).items(search="laugh work") == []  # every word must match
    assert Journal("ben", store).items() == []
    [listen] = Journal("ana", store).items(module="05-listen")
    assert listen.prompt_text == load_module("05-listen").reflection("rehearsing").prompt


def test_exports_hold_every_entry_and_escape_html(store):
    fill_journal(store)
    store.save_entry("ana", "05-listen", CHECK_IN, "Did it. Asked my sister first.")
    items = Journal("ana", store).items()
    md = export_markdown(items)
    html = export_html(items)
    for item in items:
        assert item.text.splitlines()[0] in md
        assert item.module_label in md and item.module_label in html
    assert "Practice check-in: " in md
    assert XSS in md  # Markdown is the learner's own text, as written
    assert XSS not in html and "&lt;script&gt;" in html
    assert "*The journal is empty.*" in export_markdown([])


def test_deleting_all_data_leaves_nothing_of_the_learner_and_everything_of_others(store):
    fill_journal(store, "ana")
    fill_journal(store, "ben")
    store.record_run("ana", "05-listen", "the-mixer", "end", [0])
    store.save_assessment("ana", "baseline", {"x": 2})
    store.accept_challenge("ana", "05-listen")
    assert Journal("ana", store).delete_all() == 6
    assert store.entries("ana") == [] and store.runs("ana") == []
    assert store.assessment("ana", "baseline") == {} and store.challenges("ana") == []
    assert len(store.entries("ben")) == 3


def test_two_learners_on_one_hub_keep_their_journals_in_their_own_stores(tmp_path, monkeypatch):
    """Rooms on a shared database; each learner's journal in their own per-user store."""
    from rapport.store.database import get_store, journal_store

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'shared-rooms.sqlite3'}")
    monkeypatch.delenv("RAPPORT_IDENTITY", raising=False)
    seen = {}
    for learner in ("ana", "ben"):
        monkeypatch.setenv("RAPPORT_JOURNAL_URL", f"sqlite:///{tmp_path / learner}.sqlite3")
        monkeypatch.setenv("RAPPORT_LEARNER", learner)
        Journal(learner).save("05-listen", "rehearsing", f"{learner}'s private words")
        seen[learner] = Journal(learner, journal_store()).items()
        assert journal_store().url != get_store().url
    assert [i.text for i in seen["ana"]] == ["ana's private words"]
    assert [i.text for i in seen["ben"]] == ["ben's private words"]
    assert get_store().entries("ana") == [] and get_store().entries("ben") == []
    monkeypatch.setenv("RAPPORT_JOURNAL_URL", f"sqlite:///{tmp_path / 'ana'}.sqlite3")
    assert Journal("ben", journal_store()).items() == []  # ana's store has nothing of ben


def test_served_per_browser_journals_live_on_the_server(monkeypatch, tmp_path):
    from rapport.store.database import get_store, journal_store

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'server.sqlite3'}")
    monkeypatch.setenv("RAPPORT_IDENTITY", "browser")
    assert journal_store() is get_store()


def test_a_check_in_note_goes_through_the_journal_and_a_bad_note_changes_nothing(store):
    from rapport.errors import AnswerError

    journal = Journal("ana", store)
    with pytest.raises(AnswerError, match="limit is 4,000"):
        journal.check_in("05-listen", "did", "x" * 4001)
    assert journal.challenge("05-listen") is None and journal.entries() == []
    journal.check_in("05-listen", "not-yet", "  Next week.  ")
    assert journal.get("05-listen", CHECK_IN).text == "Not yet. Next week."
    assert journal.challenge("05-listen").status == "not-yet"
