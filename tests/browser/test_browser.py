"""The served workshop in a real browser: Voila started by the suite, driven by Chromium."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from rapport.content.loading import load_manifest, load_module

from ..browsing import WIDGET_ERRORS
from ..conftest import ROOT

pytestmark = pytest.mark.browser

LISTEN = load_module("05-listen", ROOT)
# module 05's boxes: its role-plays, reflections, activities, skill, drill (with the journal
# box inside it) and challenge
MODULE_WIDGETS = len(LISTEN.scenarios) + len(LISTEN.reflections) + len(LISTEN.activities) + 4


def open_module(page, server: str) -> None:
    page.goto(f"{server}/voila/render/notebooks/05-listen.ipynb", timeout=90_000)
    page.locator(".rp-choice").first.wait_for(timeout=90_000)


def assert_clean(page) -> None:
    """No code, no traceback or error text, and no widget errors in the console."""
    assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0
    body = page.inner_text("body")
    for bad in ("Traceback", "Error", "There was an error when executing cell"):
        assert bad not in body, bad
    widget_errors = [line for line in page.console_lines if any(e in line for e in WIDGET_ERRORS)]
    assert widget_errors == []


def test_the_landing_page_lists_the_modules_and_shows_no_code(page, server):
    page.goto(server + "/", timeout=90_000)
    page.get_by_role("heading", name="The modules").wait_for(timeout=90_000)
    assert page.url.endswith("/voila/render/notebooks/index.ipynb")
    assert_clean(page)
    page.get_by_role("link", name="Listen to understand").click()
    page.locator(".rp-choice").first.wait_for(timeout=90_000)
    assert "05-listen.ipynb" in page.url


def test_module_05_renders_every_widget(page, server):
    open_module(page, server)
    page.wait_for_function(
        f"document.querySelectorAll('.rp-box').length >= {MODULE_WIDGETS}", timeout=30_000
    )
    assert page.locator(".rp-box").count() == MODULE_WIDGETS
    # the reflections and the drill's own version; the challenge note waits unseen
    assert page.locator("textarea:visible").count() == len(LISTEN.reflections) + 1
    assert_clean(page)


def test_a_page_loads_only_the_widget_manager_and_the_console_stays_quiet(page, server):
    from rapport.serving.serve import LAB_EXTENSIONS

    loaded: set[str] = set()
    pattern = re.compile(r"/voila/labextensions/((?:@[^/]+/)?[^/]+)/")
    page.on("request", lambda r: loaded.update(pattern.findall(r.url)))
    open_module(page, server)
    page.wait_for_timeout(500)
    assert loaded == set(LAB_EXTENSIONS)
    assert [line for line in page.console_lines if "atisf" in line] == []  # (Un)satisfied
    assert [line for line in page.console_lines if line.startswith(("error", "pageerror"))] == []


def play_on(player, page, clicks: int = 20) -> None:
    """Take the first option shown (skipping any invitation to say it in your own words) until
    the role-play's debrief appears."""
    for _ in range(clicks):
        if player.get_by_role("region", name="Debrief").count():
            return
        skip = player.get_by_role("button", name="Skip: show the options")
        if skip.count() and skip.is_visible():
            skip.click()
        player.locator(".rp-choice").first.click()
        page.wait_for_timeout(150)
    player.get_by_role("region", name="Debrief").wait_for(timeout=10_000)


def test_a_scenario_is_played_to_its_debrief_with_coaching_on_request(page, server):
    open_module(page, server)
    mixer = page.locator(".rp-box", has_text="The mixer").first
    skip = mixer.get_by_role("button", name="Skip: show the options")
    if skip.is_visible():
        skip.click()
    first_order = mixer.locator(".rp-choice").all_inner_texts()
    mixer.locator(".rp-choice").first.click()
    why = mixer.get_by_role("button", name="Why did that land like that?")
    why.wait_for(timeout=10_000)
    verdicts = re.compile(r"This (helped the connection|half-helped|cost the connection)")
    assert not verdicts.search(mixer.inner_text())  # the reaction comes first, no verdict
    why.click()
    mixer.get_by_text(verdicts).first.wait_for(timeout=10_000)
    play_on(mixer, page)
    assert "The conversation, step by step" in mixer.inner_text()
    mixer.get_by_role("button", name="Start again").click()
    if skip.is_visible():
        skip.click()
    mixer.locator(".rp-choice").first.wait_for(timeout=10_000)
    assert mixer.locator(".rp-choice").all_inner_texts() == first_order  # the same order
    assert_clean(page)


def test_a_reflection_is_still_there_after_a_reload(page, server):
    open_module(page, server)
    answer = "I plan my reply while my sister is still talking. <b>not bold</b>"
    box = page.locator(".rp-box", has=page.locator("textarea")).first
    box.locator("textarea").fill(answer)
    box.get_by_role("button", name=re.compile(r"Save$")).click()
    box.get_by_text("Saved in your journal").wait_for(timeout=10_000)
    page.reload()
    page.locator(".rp-choice").first.wait_for(timeout=90_000)
    box = page.locator(".rp-box", has=page.locator("textarea")).first
    page.wait_for_function(
        "document.querySelector('textarea') && document.querySelector('textarea').value.length > 0",
        timeout=30_000,
    )
    assert box.locator("textarea").input_value() == answer
    assert_clean(page)


@pytest.mark.parametrize("module_id", load_manifest(ROOT).modules)
def test_every_module_renders_and_its_first_scenario_reaches_a_debrief(page, server, module_id):
    module = load_module(module_id, ROOT)
    page.goto(f"{server}/voila/render/notebooks/{module_id}.ipynb", timeout=90_000)
    page.locator(".rp-box").first.wait_for(timeout=90_000)
    expected = len(module.scenarios) + len(module.reflections) + len(module.activities)
    expected += {"00-welcome": 1, "13-be-open": 2}.get(module_id, 0)  # assessment widgets
    expected += module_id in ("00-welcome", "13-be-open")  # the progress view
    expected += module.challenge is not None  # the practice challenge card
    # its skill card, and its drill with the journal box inside it
    expected += (module.skill is not None) + 2 * (module.drill is not None)
    page.wait_for_function(
        f"document.querySelectorAll('.rp-box').length >= {expected}", timeout=30_000
    )
    assert page.locator(".rp-box").count() == expected
    assert_clean(page)
    if not module.scenarios:
        return
    first = module.scenarios[0]
    player = page.locator(".rp-box", has_text=first.title).first
    play_on(player, page)  # always the first option: every path ends in a debrief
    assert_clean(page)


def test_only_the_workshop_notebooks_are_served(server):
    for path in ("/voila/tree", "/voila/render/tests/data/project/notebooks/01-sample.ipynb"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server + path, timeout=10)
        assert err.value.code == 404, path
