"""The room's own evaluation in Chromium: a facilitator opens the start rating, five phones
answer, the end rating, five answer again; the dashboard shows the change with its interval,
and the report downloads. axe-core checks the rating form and the evaluation view.

With RAPPORT_SCREENSHOTS=1 the guide's screenshot of the evaluation view is kept.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rapport.room.rating import statements_for

from .test_accessibility import assert_accessible
from .test_browser_room import open_dashboard, watch
from .test_presenting import keep_screenshots

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
STATEMENTS = len(statements_for(["05-listen"]))
START, END = "Not sure", "Agree"  # four phones rise by one point on the first statement


def answer(phone, title: str, choice: str) -> None:
    """Rate every statement on the phone's form called ``title`` with ``choice``, and send."""
    form = phone.locator(".rp-rating", has=phone.get_by_role("heading", name=title))
    form.wait_for(timeout=30_000)
    radios = form.get_by_role("radio", name=choice, exact=True)
    radios.nth(STATEMENTS - 1).wait_for(timeout=10_000)
    for n in range(STATEMENTS):
        radios.nth(n).check()
    form.get_by_role("button", name="Send my answers").click()
    form.get_by_text("your answers are in").wait_for(timeout=20_000)


def test_a_room_rates_itself_at_the_start_and_the_end_and_gets_its_report(
    browser, server, tmp_path
):
    board = watch(browser.new_context(viewport={"width": 1280, "height": 1000}).new_page())
    code = open_dashboard(board, server, "05 · Listen to understand")
    phones = [watch(browser.new_context(viewport=PHONE).new_page()) for _ in range(5)]
    for phone in phones:
        phone.goto(f"{server}/join?code={code}", wait_until="commit", timeout=90_000)
    for phone in phones:
        phone.get_by_role("button", name="Join").click(timeout=90_000)
        phone.get_by_text("You are in").wait_for(timeout=30_000)

    panel = board.locator(".rp-evaluation")
    panel.get_by_role("button", name="Open the start rating").click()
    for n, phone in enumerate(phones):
        # One phone agrees already: on the first statement the changes are 0 1 1 1 1.
        answer(phone, "Self-rating at the start", START if n else END)
    assert_accessible(phones[1], "the rating form on a phone")
    board.get_by_text("5 rated at the start").wait_for(timeout=10_000)
    panel.get_by_text("5 more needed").first.wait_for(timeout=10_000)

    panel.get_by_label("At the end, ask \u201clooking back\u201d too").uncheck()
    panel.get_by_role("button", name="Open the end rating").click()
    for phone in phones:
        answer(phone, "Self-rating at the end", END)
    # mean 0.80, sd sqrt(0.2), t(0.975, 4) sqrt(0.2) / sqrt(5) = 0.555
    change = panel.locator("table.rp-change tr", has_text=statements_for(["05-listen"])[0].text)
    change.get_by_text("+0.80").wait_for(timeout=10_000)
    assert "(95% CI +0.24 to +1.36)" in change.inner_text()
    assert_accessible(board, "the dashboard's evaluation view")
    panel.screenshot(path=str(tmp_path / "evaluation.png"))
    keep_screenshots(tmp_path, ["evaluation.png"])

    panel.get_by_role("button", name="Prepare the evaluation report (HTML, PDF, CSV)").click()
    rows = 5 * STATEMENTS * 2  # five people, every statement, at the start and the end
    with board.expect_download() as got:
        panel.get_by_role("link", name=f"its data (CSV, {rows} rows, anonymous)").click(
            timeout=60_000
        )
    found = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
    assert len(found) == rows and {r["person"] for r in found} == {"1", "2", "3", "4", "5"}
    with board.expect_download() as got:
        panel.get_by_role("link", name="the report (PDF)").click()
    assert Path(got.value.path()).read_bytes().startswith(b"%PDF-")
    for page in [board, *phones]:
        assert [line for line in page.console_lines if "pageerror" in line] == []
