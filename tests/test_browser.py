"""The served workshop in a real browser: Voila started by the suite, driven by Chromium."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rapport.content import load_manifest, load_module

from .conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDGET_ERRORS = (
    "Failed to load model class",
    "Traceback",
    "Error displaying widget",
    "model not found",
)
MODULE_WIDGETS = 8  # module 05: 2 scenarios, 3 reflections, 3 activities


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workshop server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"the workshop server did not answer at {url} within {seconds} s")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """``rapport serve`` on a free loopback port with its own store; stopped by process id."""
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {**os.environ, "RAPPORT_DB_URL": f"sqlite:///{folder / 'served.sqlite3'}"}
    log = (folder / "voila.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.console_lines.append(f"pageerror: {e}"))
    yield page
    context.close()


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
    assert page.locator("textarea").count() == 3
    assert_clean(page)


def test_a_scenario_is_played_to_its_debrief_by_clicks(page, server):
    open_module(page, server)
    mixer = page.locator(".rp-box", has_text="The mixer").first
    for label in ("2. Three in the morning?", "1. So it turned into", "1. What would need"):
        mixer.locator(".rp-choice", has_text=label).click()
    mixer.get_by_text("Debrief").wait_for(timeout=10_000)
    assert "Dana left feeling understood" in mixer.inner_text()
    mixer.get_by_role("button", name="Start again").click()
    mixer.locator(".rp-choice", has_text="2. Three in the morning?").wait_for(timeout=10_000)
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
    page.wait_for_function(
        f"document.querySelectorAll('.rp-box').length >= {expected}", timeout=30_000
    )
    assert page.locator(".rp-box").count() == expected
    assert_clean(page)
    if not module.scenarios:
        return
    first = module.scenarios[0]
    player = page.locator(".rp-box", has_text=first.title).first
    for _ in range(12):  # always the first choice: every path ends, so this reaches a debrief
        if player.get_by_role("region", name="Debrief").count():
            break
        player.locator(".rp-choice").first.click()
        page.wait_for_timeout(150)
    player.get_by_role("region", name="Debrief").wait_for(timeout=10_000)
    assert_clean(page)


def test_only_the_workshop_notebooks_are_served(server):
    for path in ("/voila/tree", "/voila/render/tests/data/project/notebooks/01-sample.ipynb"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server + path, timeout=10)
        assert err.value.code == 404, path
