"""Self-paced study: challenges, the journal's queries and exports, deleting everything,
keeping learners apart, and the widgets that show them."""

import base64
import re

import pytest

from rapport.content import load_module
from rapport.journal import CHECK_IN, export_html, export_markdown, journal_items
from rapport.widgets.study import ChallengeCard, JournalView, ProgressView

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
    everything = journal_items(store, "ana")
    assert everything[0].module == "11-forgive-with-boundaries"  # newest first
    assert [i.prompt for i in journal_items(store, "ana", module="05-listen")] == ["rehearsing"]
    assert [i.module for i in journal_items(store, "ana", search="LAUGH along")] == ["02-stay-true"]
    assert journal_items(store, "ana", search="laugh work") == []  # every word must match
    assert journal_items(store, "ben") == []
    [listen] = journal_items(store, "ana", module="05-listen")
    assert listen.prompt_text == load_module("05-listen").reflection("rehearsing").prompt


def test_exports_hold_every_entry_and_escape_html(store):
    fill_journal(store)
    store.save_entry("ana", "05-listen", CHECK_IN, "Did it. Asked my sister first.")
    items = journal_items(store, "ana")
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
    assert store.delete_learner("ana") == 6
    assert store.entries("ana") == [] and store.runs("ana") == []
    assert store.assessment("ana", "baseline") == {} and store.challenges("ana") == []
    assert len(store.entries("ben")) == 3


def test_two_learners_on_one_hub_keep_their_journals_in_their_own_stores(tmp_path, monkeypatch):
    """Rooms on a shared database; each learner's journal in their own per-user store."""
    from rapport.journal import Journal
    from rapport.store import get_store, journal_store

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'shared-rooms.sqlite3'}")
    monkeypatch.delenv("RAPPORT_IDENTITY", raising=False)
    seen = {}
    for learner in ("ana", "ben"):
        monkeypatch.setenv("RAPPORT_JOURNAL_URL", f"sqlite:///{tmp_path / learner}.sqlite3")
        monkeypatch.setenv("RAPPORT_LEARNER", learner)
        Journal(learner).save("05-listen", "rehearsing", f"{learner}'s private words")
        seen[learner] = journal_items(journal_store(), learner)
        assert journal_store().url != get_store().url
    assert [i.text for i in seen["ana"]] == ["ana's private words"]
    assert [i.text for i in seen["ben"]] == ["ben's private words"]
    assert get_store().entries("ana") == [] and get_store().entries("ben") == []
    monkeypatch.setenv("RAPPORT_JOURNAL_URL", f"sqlite:///{tmp_path / 'ana'}.sqlite3")
    assert journal_items(journal_store(), "ben") == []  # ana's store has nothing of ben


def test_served_per_browser_journals_live_on_the_server(monkeypatch, tmp_path):
    from rapport.store import get_store, journal_store

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'server.sqlite3'}")
    monkeypatch.setenv("RAPPORT_IDENTITY", "browser")
    assert journal_store() is get_store()


def test_the_challenge_card_accepts_then_asks_how_it_went_on_a_later_visit(store):
    module = load_module("05-listen")
    card = ChallengeCard(module, lambda: store, lambda: "ana")
    assert card.form.layout.display == "none"
    card.accept_button.click()
    assert "Accepted" in card.status.value and card.form.layout.display == "none"
    later = ChallengeCard(module, lambda: store, lambda: "ana")  # the next visit
    assert later.form.layout.display == "flex"
    later.save_button.click()
    assert "Choose how it went first" in later.status.value
    later.how.value = "partly"
    later.note.value = "Managed it twice. <b>Hard</b> with my dad."
    later.save_button.click()
    assert store.challenge("ana", "05-listen").status == "partly"
    assert store.entry("ana", "05-listen", CHECK_IN).text.startswith("Partly. Managed it twice.")
    assert "you partly did it" in later.summary.value


def test_a_module_without_a_challenge_has_no_card(store):
    with pytest.raises(ValueError, match="no practice challenge"):
        ChallengeCard(load_module("00-welcome"), lambda: store, lambda: "ana")


def test_the_progress_view_shows_a_table_the_challenges_and_where_to_continue(store):
    store.save_entry("ana", "05-listen", "rehearsing", "text")
    store.accept_challenge("ana", "05-listen")
    store.check_in("ana", "05-listen", "did")
    view = ProgressView(lambda: store, lambda: "ana")
    html = view.view.value
    assert html.count("<tr>") == 15  # a header and 14 modules
    assert 'href="05-listen.ipynb"' in html and "Continue where you left off" in html
    assert "Practice challenges taken on: <b>1</b> (did it: 1" in html


def test_the_journal_view_filters_edits_deletes_exports_and_deletes_all(store):
    fill_journal(store)
    view = JournalView(lambda: store, lambda: "ana")
    assert len(view.entries.children) == 3
    shown = "".join(child.children[0].value for child in view.entries.children)
    assert XSS not in shown and "&lt;script&gt;" in shown
    view.search.value = "letting"
    assert [b.item.module for b in view.entries.children] == ["11-forgive-with-boundaries"]
    view.search.value = "nothing like this"
    assert "Nothing matches" in view.count.value
    view.search.value = ""
    view.module_filter.value = "05-listen"
    [entry] = view.entries.children
    assert not view.edit(entry.item, "   ")
    assert store.entry("ana", "05-listen", "rehearsing").text.startswith("I plan replies.")
    assert view.edit(entry.item, "I plan replies less now.")
    assert store.entry("ana", "05-listen", "rehearsing").text == "I plan replies less now."
    view.module_filter.value = ""
    view.prepare_export()
    payloads = re.findall(r"base64,([A-Za-z0-9+/=]+)", view.downloads.value)
    md = base64.b64decode(payloads[0]).decode()
    assert "I plan replies less now." in md and "Letting go" in md
    victim = next(b for b in view.entries.children if b.item.module == "02-stay-true")
    assert view.delete(victim.item)
    assert len(view.entries.children) == 2
    view.delete_all_button.click()
    assert view.confirm_row.layout.display == "flex"
    view.confirm_all.click()
    assert store.entries("ana") == [] and "Your journal is empty" in view.count.value
