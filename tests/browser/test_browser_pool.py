"""Spare join kernels (``rapport serve --pool``) in Chromium.

A spare kernel has run the join page before anyone asked for it; these tests check that it
still learns who it serves: the room code from the link, and the browser's token (so a reload
rejoins as the same participant).
"""

from __future__ import annotations

import time

import pytest

from ..browsing import free_port, scale_answered, serving

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SPARES = 2


def wait_for_spares(log, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while f"is filled with {SPARES} kernel(s)" not in log.read_text():
        assert time.monotonic() < deadline, "the spare kernels never got ready"
        time.sleep(0.5)


def test_spare_kernels_learn_the_room_code_and_the_browser(browser, tmp_path):
    port = free_port()
    log = tmp_path / f"voila-{port}.log"
    with serving(
        tmp_path, f"sqlite:///{tmp_path}/pool.sqlite3", port, ("--pool", str(SPARES))
    ) as server:
        wait_for_spares(log)
        facilitator = browser.new_context().new_page()
        phone = browser.new_context(viewport=PHONE).new_page()
        code = scale_answered(facilitator, phone, server, 4)  # the code came from the link
        assert "Using pre-heated kernel" in log.read_text()
        phone.reload()  # another spare: the token says who this is
        phone.get_by_role("button", name="✓ 4").wait_for(timeout=90_000)
        other = browser.new_context(viewport=PHONE).new_page()
        other.goto(f"{server}/join?code={code}", timeout=90_000)
        other.get_by_role("button", name="Join").click(timeout=90_000)
        other.get_by_role("button", name="2", exact=True).click(timeout=30_000)
        facilitator.get_by_text("2 answered").wait_for(timeout=10_000)
        facilitator.get_by_text("2 present").wait_for(timeout=10_000)
        for page in (facilitator, phone, other):
            page.context.close()
    text = log.read_text()
    assert text.count("Using pre-heated kernel") >= 3
    # A spare caught mid-page when the server stops may still log its interrupted cell.
    assert "Traceback" not in text.split("Handle signal")[0]
    assert "DeprecationWarning" not in text  # e.g. traitlets, for a dict on the command line
