"""Faults in a live room: the server restarts mid-workshop, and nobody loses their place."""

from __future__ import annotations

import pytest

from ..browsing import FACILITATOR_KEY, free_port, scale_answered, serving

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_a_restarted_server_keeps_the_room_and_participants_rejoin_as_themselves(browser, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    port = free_port()
    phone = browser.new_context(viewport=PHONE)
    facilitator = browser.new_context()
    board, page = facilitator.new_page(), phone.new_page()
    with serving(tmp_path, db_url, port) as server:
        code = scale_answered(board, page, server, 2)
    # The server is gone. It comes back on the same address with the same store.
    with serving(tmp_path, db_url, port) as server:
        page.reload(timeout=90_000)
        page.get_by_role("button", name="✓ 2").wait_for(timeout=90_000)  # rejoined, answer kept
        board.goto(f"{server}/facilitator?key={FACILITATOR_KEY}", timeout=90_000)
        board.get_by_role("button", name="Continue this room").click(timeout=90_000)
        assert board.locator(".rp-code").inner_text(timeout=30_000).strip() == code
        board.get_by_text("1 answered").wait_for(timeout=10_000)
    phone.close()
    facilitator.close()


def test_a_killed_kernel_is_announced_and_a_reload_restores_the_participant(browser, tmp_path):
    import re

    import psutil

    db_url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    with serving(tmp_path, db_url) as server:
        facilitator = browser.new_context().new_page()
        page = browser.new_context(viewport=PHONE).new_page()
        scale_answered(facilitator, page, server, 5)
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page.content()).group(1)
        killed = [
            proc.kill() or proc.pid
            for proc in psutil.process_iter(["cmdline"])
            if any(kernel in part for part in proc.info["cmdline"] or [])
        ]
        assert killed, "the page's kernel process was not found"
        alert = page.get_by_role("alert").filter(has_text="lost its connection to the workshop")
        alert.wait_for(timeout=60_000)
        alert.get_by_role("button", name="Reload the page").click()
        page.get_by_role("button", name="✓ 5").wait_for(timeout=90_000)  # the same participant
        assert page.get_by_role("alert").filter(has_text="lost its connection").count() == 0
        facilitator.context.close()
        page.context.close()
