"""The live room in Chromium: a facilitator and five participants on one served workshop."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
import uuid

import pytest

from rapport.content.loading import load_module

from ..browsing import FACILITATOR_KEY, WIDGET_ERRORS, run_alone

pytestmark = pytest.mark.browser


def step_index(module_id: str, activity_id: str) -> int:
    """Where an activity sits in the dashboard's "On screen next" list (after "Nothing")."""
    return 1 + [a.id for a in load_module(module_id).activities].index(activity_id)


POLL = step_index("02-stay-true", "fitting-in-habit")
TEXT = step_index("02-stay-true", "warm-on-screen")
SCALE = step_index("05-listen", "how-hard")
XSS = "<img src=x onerror=alert(1)>"
PHONE = {"width": 390, "height": 844}


def no_widget_errors(page) -> None:
    assert [line for line in page.console_lines if any(e in line for e in WIDGET_ERRORS)] == []


def watch(page):
    page.console_lines = []
    page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.console_lines.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: page.console_lines.append(f"pageerror: dialog {d.message}"))
    return page


def open_dashboard(page, server: str, module_label: str) -> str:
    page.goto(f"{server}/facilitator?key={FACILITATOR_KEY}", timeout=90_000)
    page.get_by_label("Module").select_option(label=module_label, timeout=90_000)
    page.get_by_role("button", name="Create a room").click()
    page.locator(".rp-code").wait_for(timeout=30_000)
    return page.locator(".rp-code").inner_text().strip()


def test_the_dashboard_refuses_a_wrong_key(page, server):
    page.goto(f"{server}/facilitator?key=not-the-key", timeout=90_000)
    page.get_by_text("That key does not match").wait_for(timeout=90_000)
    assert page.get_by_role("button", name="Create a room").count() == 0
    page.get_by_label("Facilitator key").fill(FACILITATOR_KEY)
    page.get_by_role("button", name="Open the dashboard").click()
    page.get_by_role("button", name="Create a room").wait_for(timeout=30_000)


def test_a_facilitator_and_five_participants_run_a_poll_and_an_open_question(browser, server):
    facilitator = watch(browser.new_context(viewport={"width": 1280, "height": 1000}).new_page())
    code = open_dashboard(facilitator, server, "02 · Stay true to yourself")
    assert facilitator.locator(".rp-qr svg").count() == 1

    contexts = [browser.new_context(viewport=PHONE) for _ in range(5)]
    people = [watch(c.new_page()) for c in contexts]
    for n, person in enumerate(people):  # three follow the QR code's link, two type the code
        url = f"{server}/join?code={code}" if n < 3 else f"{server}/join"
        person.goto(url, wait_until="commit", timeout=90_000)
    for n, person in enumerate(people):
        person.get_by_role("button", name="Join").wait_for(timeout=90_000)
        if n >= 3:
            person.get_by_label("Room code").fill(code.lower().replace("-", " "))
        if n == 4:
            person.get_by_label("Nickname (optional)").fill(XSS)
        person.get_by_role("button", name="Join").click()
    for person in people:
        person.get_by_text("You are in").wait_for(timeout=30_000)

    facilitator.get_by_label("On screen next").select_option(index=POLL)
    facilitator.get_by_role("button", name="Put on screen").click()
    picks = [0, 0, 2, 2, 2]
    for person, pick in zip(people, picks, strict=True):
        person.locator(".rp-choice").nth(pick).click(timeout=15_000)
    started = time.monotonic()
    facilitator.get_by_text("5 answered").wait_for(timeout=5_000)  # live, within 5 seconds
    assert time.monotonic() - started < 5
    results = facilitator.locator("table.rp-results")
    assert re.search(r"Agree more than I really do\s+2", results.inner_text())
    assert re.search(r"Keep my real interests to myself\s+3", results.inner_text())

    facilitator.get_by_role("button", name="Reveal results").click()
    for person in people:
        person.locator("table.rp-results").wait_for(timeout=10_000)
        assert "Keep my real interests to myself" in person.locator("table.rp-results").inner_text()

    facilitator.get_by_label("On screen next").select_option(index=TEXT)
    facilitator.get_by_role("button", name="Put on screen").click()
    answers = [XSS, "Love the colours you chose!", "Those photos made my day.", "", ""]
    for person, answer in zip(people[:3], answers, strict=False):
        person.get_by_label("Answer to the room").fill(answer)
        person.get_by_role("button", name="Send").click()
        person.get_by_text("Your answer is in").wait_for(timeout=10_000)
    facilitator.get_by_text("Those photos made my day.").wait_for(timeout=5_000)
    facilitator.get_by_text(XSS).wait_for(timeout=5_000)  # shown literally, as text
    assert facilitator.locator("img[src=x]").count() == 0

    for person in people:
        assert person.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        no_widget_errors(person)
    no_widget_errors(facilitator)

    stranger = watch(browser.new_context(viewport=PHONE).new_page())
    stranger.goto(f"{server}/join", timeout=90_000)
    stranger.get_by_label("Room code").fill("QQQ-QQQ")
    stranger.get_by_role("button", name="Join").click()
    stranger.get_by_text("No room has the code QQQ-QQQ").wait_for(timeout=10_000)
    for context in [*contexts, facilitator.context, stranger.context]:
        context.close()


def test_the_room_plays_a_role_play_reaction_first_then_the_coaching_on_every_screen(
    browser, server
):
    facilitator = watch(browser.new_context(viewport={"width": 1280, "height": 1000}).new_page())
    code = open_dashboard(facilitator, server, "05 · Listen to understand")
    phones = [watch(browser.new_context(viewport=PHONE).new_page()) for _ in range(2)]
    for phone in phones:
        phone.goto(f"{server}/join?code={code}", timeout=90_000)
        phone.get_by_role("button", name="Join").click(timeout=90_000)
        phone.get_by_text("You are in").wait_for(timeout=30_000)
    facilitator.get_by_label("On screen next").select_option(label="Role-play: The mixer")
    facilitator.get_by_role("button", name="Put on screen").click()
    orders = []
    for phone in phones:
        phone.get_by_text("What would you say?").wait_for(timeout=15_000)
        orders.append(phone.locator(".rp-choice").all_inner_texts())
        phone.locator(".rp-choice").first.click()
        phone.get_by_role("button", name=re.compile("^✓ ")).wait_for(timeout=10_000)
    assert orders[0] == orders[1]  # the room's shuffle is the same on every phone
    facilitator.get_by_text("(2 so far)").wait_for(timeout=5_000)
    facilitator.get_by_role("button", name=re.compile(r"room's choice")).click()
    verdict = re.compile(r"This (helped the connection|half-helped|cost the connection)")
    for screen in (facilitator, *phones):
        screen.get_by_text("The room said:").wait_for(timeout=10_000)
        assert not verdict.search(screen.inner_text("body"))  # the reaction first
    facilitator.get_by_role("button", name="Show the coaching").click()
    for screen in (facilitator, *phones):
        screen.get_by_text(verdict).first.wait_for(timeout=10_000)
    facilitator.get_by_role("button", name="Next decision").click()
    phones[0].get_by_text("What would you say?").wait_for(timeout=15_000)
    for screen in (facilitator, *phones):
        no_widget_errors(screen)
        screen.context.close()


def test_a_reloaded_phone_rejoins_as_the_same_participant(browser, server):
    facilitator = watch(browser.new_context().new_page())
    code = open_dashboard(facilitator, server, "05 · Listen to understand")
    facilitator.get_by_label("On screen next").select_option(index=SCALE)
    facilitator.get_by_role("button", name="Put on screen").click()
    phone = watch(browser.new_context(viewport=PHONE).new_page())
    phone.goto(f"{server}/join?code={code}", timeout=90_000)
    phone.get_by_role("button", name="Join").click(timeout=90_000)
    phone.get_by_role("button", name="4", exact=True).click(timeout=30_000)
    phone.get_by_role("button", name="✓ 4").wait_for(timeout=10_000)
    phone.reload()
    phone.get_by_role("button", name="✓ 4").wait_for(timeout=90_000)  # no join form this time
    facilitator.get_by_text("1 present").wait_for(timeout=5_000)
    facilitator.context.close()
    phone.context.close()


def test_the_kernel_websocket_refuses_execute_requests(server, tmp_path):
    """Voila's frontend may talk to widgets, never run code: prove the refusal end to end."""
    with urllib.request.urlopen(f"{server}/join", timeout=90) as response:
        html = response.read().decode()
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', html).group(1)
    marker = tmp_path / "executed"
    code = f"open({str(marker)!r}, 'w')"
    replies = run_alone(_send_execute(server, kernel_id, code))
    assert "comm_info_reply" in replies  # the shell channel answers allowed requests ...
    assert "execute_reply" not in replies and "execute_input" not in replies  # ... code does not
    assert not marker.exists()


async def _send_execute(server: str, kernel_id: str, code: str) -> list[str]:
    from tornado.websocket import websocket_connect

    ws_url = server.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    conn = await websocket_connect(ws_url)

    def message(msg_type: str, content: dict) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "test",
            "session": uuid.uuid4().hex,
            "version": "5.3",
            "date": "",
        }
        return json.dumps(
            {
                "channel": "shell",
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "buffers": [],
            }
        )

    await conn.write_message(
        message("execute_request", {"code": code, "silent": False, "store_history": False})
    )
    await conn.write_message(message("comm_info_request", {}))
    seen: list[str] = []
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        try:
            raw = await asyncio.wait_for(conn.read_message(), timeout=1)
        except TimeoutError:
            continue
        if raw is None:
            break
        if isinstance(raw, bytes):
            continue
        seen.append(json.loads(raw)["header"]["msg_type"])
    conn.close()
    return seen


def test_the_join_page_shows_no_code(page, server):
    page.goto(f"{server}/join", timeout=90_000)
    page.get_by_role("button", name="Join").wait_for(timeout=90_000)
    assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0
    assert "join_page" not in page.inner_text("body")
