"""The self-study widgets: the practice challenge card, the progress view and the journal page."""

import base64
import re

import pytest

from rapport.content.loading import load_module
from rapport.course.journal import CHECK_IN
from rapport.store.journal import Journal
from rapport.widgets.challenge import ChallengeCard
from rapport.widgets.journal_view import JournalView
from rapport.widgets.progress import ProgressView

from ..store.test_journal import XSS, fill_journal


def journal_of(store, learner="ana"):
    return lambda: Journal(learner, store)


def test_the_challenge_card_accepts_then_asks_how_it_went_on_a_later_visit(store):
    module = load_module("05-listen")
    card = ChallengeCard(module, journal_of(store))
    assert card.form.layout.display == "none"
    card.accept_button.click()
    assert "Accepted" in card.status.value and card.form.layout.display == "none"
    later = ChallengeCard(module, journal_of(store))  # the next visit
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
        ChallengeCard(load_module("00-welcome"), journal_of(store))


def test_the_progress_view_shows_a_table_the_challenges_and_where_to_continue(store):
    store.save_entry("ana", "05-listen", "rehearsing", "text")
    store.accept_challenge("ana", "05-listen")
    store.check_in("ana", "05-listen", "did")
    view = ProgressView(journal_of(store))
    html = view.view.value
    assert html.count("<tr>") == 15  # a header and 14 modules
    assert 'href="05-listen.ipynb"' in html and "Continue where you left off" in html
    assert "Practice challenges taken on: <b>1</b> (did it: 1" in html


def test_the_journal_view_filters_edits_deletes_exports_and_deletes_all(store):
    fill_journal(store)
    view = JournalView(journal_of(store))
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
