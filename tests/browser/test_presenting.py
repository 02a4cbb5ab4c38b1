"""Presenting in Chromium, on the suite's one served workshop: the slides, the presenter view
and the projector view, with three phones in the room.

The screenshots of the facilitator's guide are made here: with RAPPORT_SCREENSHOTS=1 they are
copied into facilitator/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from rapport.content.loading import load_manifest
from rapport.outputs.slides import module_deck
from rapport.store.database import Store
from rapport.store.rooms import Rooms

from ..browsing import FACILITATOR_KEY
from ..conftest import ROOT
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

MODULES = load_manifest(ROOT).modules
DECK = module_deck("05-listen", root=ROOT)
SLIDE = {"width": 1280, "height": 720}
LAPTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
FOLLOW_WITHIN = 2.0  # seconds: the projector follows the presenter at least this fast
SCREENSHOTS = ROOT / "facilitator" / "screenshots"

# Every slide's text, at 1280x720: nothing runs off the slide, nothing smaller than 28 px.
CHECK_SLIDES = """() => {
  const problems = [];
  rpDeck.slides.forEach((slide, i) => {
    rpDeck.show(i, true);
    if (slide.scrollHeight > slide.clientHeight + 1 || slide.scrollWidth > slide.clientWidth + 1)
      problems.push(`slide ${i + 1} runs off the slide`);
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.textContent.trim()) continue;
      const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
      const words = node.textContent.trim().slice(0, 30);
      if (size < 28) problems.push(`slide ${i + 1}: ${words} at ${size}px`);
    }
  });
  rpDeck.show(0, true);
  return problems;
}"""


def spot(live_id: str) -> int:
    """The 0-based place of the slide that runs ``live_id``."""
    return next(n for n, s in enumerate(DECK.slides) if s.live and s.live.id == live_id)


def own_requests(page) -> list[str]:
    """Every address the page asks for, as it asks."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    return asked


def elsewhere(asked: list[str], server: str) -> list[str]:
    return [
        url for url in asked if not url.startswith(server + "/") and not url.startswith("data:")
    ]


def test_every_deck_fits_its_slides_in_type_read_from_the_back(browser, server):
    context = browser.new_context(viewport=SLIDE)
    page = context.new_page()
    asked = own_requests(page)
    for name in [*MODULES, "agenda/taster"]:
        page.goto(f"{server}/slides/{name}", timeout=30_000)
        assert page.evaluate(CHECK_SLIDES) == [], name
        assert page.locator("code, pre").count() == 0
    assert elsewhere(asked, server) == []
    context.close()


def test_the_slides_move_with_the_keyboard_and_pass_axe(browser, server, tmp_path):
    page = browser.new_context(viewport=SLIDE).new_page()
    page.goto(f"{server}/slides/05-listen", timeout=30_000)
    where = page.locator(".deck-where")
    total = len(DECK)
    for key, expected in [
        ("ArrowRight", 2),
        ("Space", 3),
        ("PageDown", 4),
        ("ArrowLeft", 3),
        ("PageUp", 2),
        ("End", total),
        ("Home", 1),
        ("ArrowUp", 1),  # no slide before the first
    ]:
        page.keyboard.press(key)
        assert where.inner_text() == f"{expected} / {total}", key
    for digit in "11":
        page.keyboard.press(digit)
    page.keyboard.press("Enter")
    assert where.inner_text() == f"11 / {total}"
    assert page.locator(".slide.current").count() == 1
    assert_accessible(page, "the slides of 05-listen")
    page.screenshot(path=str(tmp_path / "slide.png"))
    keep_screenshots(tmp_path, ["slide.png"])
    page.context.close()


def test_the_projector_names_an_unknown_code_and_the_presenter_asks_for_the_key(page, server):
    page.goto(f"{server}/projector?code=QQQ-QQQ", timeout=30_000)
    page.get_by_text("No room has the code QQQ-QQQ").wait_for(timeout=10_000)
    page.goto(f"{server}/presenter?code=QQQ-QQQ&key=not-the-key", timeout=30_000)
    page.get_by_text("That key does not match").wait_for(timeout=10_000)
    assert "not-the-key" not in page.content()
    page.get_by_label("Facilitator key").fill(FACILITATOR_KEY)
    page.get_by_role("button", name="Open the presenter view").click()
    page.get_by_text("No room has the code QQQ-QQQ").wait_for(timeout=10_000)


def go_to(presenter, projector, number: int) -> float:
    """Type the slide's number and Enter on the presenter; seconds until the projector shows it."""
    title = DECK.slides[number - 1].title
    for digit in str(number):
        presenter.keyboard.press(digit)
    started = time.monotonic()
    presenter.keyboard.press("Enter")
    projector.locator("#stage").get_by_text(title, exact=True).first.wait_for(timeout=5_000)
    return time.monotonic() - started


def follows(presenter, projector, key: str, number: int) -> float:
    started = time.monotonic()
    presenter.keyboard.press(key)
    title = DECK.slides[number - 1].title
    projector.locator("#stage").get_by_text(title, exact=True).first.wait_for(timeout=5_000)
    return time.monotonic() - started


def keep_screenshots(folder, names: list[str]) -> None:
    """Copy the guide's screenshots into facilitator/screenshots/ when asked to."""
    if os.environ.get("RAPPORT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    for name in names:
        shutil.copyfile(folder / name, SCREENSHOTS / name)


def test_the_presenter_runs_module_05_and_the_projector_follows(
    browser, server, served_store, tmp_path
):
    code = Rooms(Store(served_store)).create("05-listen").code
    phones = [browser.new_context(viewport=PHONE).new_page() for _ in range(3)]
    for phone in phones:  # their kernels start while the presenter gets going
        phone.goto(f"{server}/join?code={code}", wait_until="commit", timeout=90_000)

    presenter = browser.new_context(viewport=LAPTOP).new_page()
    asked = own_requests(presenter)
    presenter.goto(f"{server}/presenter?code={code}&key={FACILITATOR_KEY}", timeout=30_000)
    assert FACILITATOR_KEY not in presenter.url  # remembered, and gone from the address bar
    presenter.get_by_role("heading", name=re.compile("^Presenter")).wait_for(timeout=10_000)
    projector = browser.new_context(viewport=SLIDE).new_page()  # a window of its own
    seen = own_requests(projector)
    projector.goto(f"{server}/projector?code={code}", timeout=30_000)
    projector.locator("#stage").get_by_text(DECK.slides[0].title).wait_for(timeout=10_000)

    waits = [
        follows(presenter, projector, "ArrowRight", 2),
        follows(presenter, projector, "Space", 3),
        follows(presenter, projector, "PageDown", 4),
        follows(presenter, projector, "ArrowLeft", 3),
        follows(presenter, projector, "End", len(DECK)),
        follows(presenter, projector, "Home", 1),
    ]
    assert presenter.locator(".deck-where").inner_text() == f"1 / {len(DECK)}"
    waits.append(go_to(presenter, projector, spot("how-hard") + 1))
    assert max(waits) < FOLLOW_WITHIN, waits

    # Reaching the scale's slide opened it on every phone.
    for phone in phones:
        phone.get_by_role("button", name="Join").click(timeout=90_000)
    for n, phone in enumerate(phones):
        phone.get_by_role("button", name=str(n + 2), exact=True).click(timeout=60_000)
    presenter.locator(".live-panel").get_by_text("3 answered").wait_for(timeout=10_000)
    projector.locator("#stage").get_by_text("3 answers so far").wait_for(timeout=5_000)
    assert projector.locator("table.rp-results").count() == 0  # not before it is revealed
    presenter.get_by_role("button", name="Reveal results").click()
    started = time.monotonic()
    projector.locator("table.rp-results").wait_for(timeout=5_000)
    assert time.monotonic() - started < FOLLOW_WITHIN
    assert "Average: 3.0 of 5" in projector.locator("#stage").inner_text()
    phones[0].locator("table.rp-results").wait_for(timeout=10_000)
    presenter.screenshot(path=str(tmp_path / "presenter.png"))
    projector.screenshot(path=str(tmp_path / "projector.png"))
    assert_accessible(presenter, "the presenter view with results")
    assert_accessible(projector, "the projector with results")

    # The role-play: the words and the vote count, then the room's choice and the coaching.
    go_to(presenter, projector, spot("the-mixer") + 1)
    projector.locator("#stage").get_by_text("0 votes so far").wait_for(timeout=5_000)
    presenter.get_by_role("button", name="Take 1").click()
    projector.locator("#stage").get_by_text("The room said:").wait_for(timeout=5_000)
    assert projector.locator("#stage .rp-feedback").count() == 0  # coaching on request
    presenter.get_by_role("button", name="Show the coaching").click()
    projector.locator("#stage .rp-feedback").wait_for(timeout=5_000)
    assert_accessible(projector, "the projector during a role-play")

    assert FACILITATOR_KEY not in projector.content() and FACILITATOR_KEY not in projector.url
    assert elsewhere(asked, server) == elsewhere(seen, server) == []
    keep_screenshots(tmp_path, ["presenter.png", "projector.png"])
    for page in [presenter, projector, *phones]:
        page.context.close()
