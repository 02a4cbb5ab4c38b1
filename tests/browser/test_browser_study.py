"""Self-paced study in Chromium: reflections, a challenge, progress, the journal and its export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..browsing import WIDGET_ERRORS

pytestmark = pytest.mark.browser


def render(page, server: str, notebook: str, ready: str = ".rp-box") -> None:
    page.goto(f"{server}/voila/render/notebooks/{notebook}.ipynb", timeout=90_000)
    page.locator(ready).first.wait_for(timeout=90_000)


def save_first_reflection(page, text: str) -> None:
    box = page.locator(".rp-box", has=page.locator("textarea")).first
    box.locator("textarea").fill(text)
    box.get_by_role("button", name=re.compile(r"Save$")).click()
    box.get_by_text("Saved in your journal").wait_for(timeout=10_000)


def test_a_learner_keeps_a_journal_tracks_progress_exports_and_deletes_it(page, server):
    first = "Study test: I rehearse my answer when I feel nervous."
    second = "Study test: We both grew up near the sea & loved it."
    render(page, server, "05-listen", ".rp-choice")
    save_first_reflection(page, first)
    page.get_by_role("button", name="Accept this challenge").click()
    page.get_by_text("Accepted. Next time you open this module").wait_for(timeout=10_000)
    render(page, server, "06-common-ground", ".rp-choice")
    save_first_reflection(page, second)

    page.reload()  # a later visit to 05 asks how the challenge went
    render(page, server, "05-listen", ".rp-choice")
    page.get_by_text("How did it go?").wait_for(timeout=30_000)

    render(page, server, "00-welcome", "table.rp-scores")
    table = page.locator("table.rp-scores", has_text="Your progress")
    listen_row = table.locator("tr", has_text="Listen to understand").inner_text()
    assert "accepted" in listen_row and "started" in listen_row
    assert "Continue where you left off" in page.inner_text("body")

    render(page, server, "journal", "text=newest first")
    body = page.inner_text("body")
    assert first in body and second in body
    shown = page.locator(".rp-card", has_text="Study test:").count()
    assert shown == 2
    page.get_by_role("button", name="Prepare export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Markdown").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    entries = page.locator(".rp-box .rp-card").all_inner_texts()
    assert first in exported and second in exported
    for entry in entries:  # every entry the page lists is in the file
        assert entry.splitlines()[-1].strip() in exported

    page.get_by_role("button", name="Delete all my data").click()
    page.get_by_role("button", name="Yes, delete everything").click()
    page.get_by_text("Your journal is empty").wait_for(timeout=10_000)
    page.reload()
    page.get_by_text("Your journal is empty").wait_for(timeout=90_000)
    errors = [line for line in page.console_lines if any(e in line for e in WIDGET_ERRORS)]
    assert errors == []
