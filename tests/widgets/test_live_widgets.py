"""The live room's pages, driven headless: the participant's app and the facilitator dashboard."""

import secrets

import pytest

from rapport.outputs.report import answers_frame
from rapport.room.refs import ActivityRef
from rapport.store.rooms import Rooms, set_facilitator_key
from rapport.widgets.dashboard import FacilitatorDashboard
from rapport.widgets.key_gate import KeyGate
from rapport.widgets.live import Ticker
from rapport.widgets.reflection import ReflectionBox
from rapport.widgets.room import ParticipantApp

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def rooms(store):
    return Rooms(store)


def token() -> str:
    return secrets.token_urlsafe(24)


def html_of(widget) -> str:
    """All HTML and descriptions a widget tree shows, as one string."""
    parts = []
    stack = [widget]
    while stack:
        node = stack.pop()
        for name in ("value", "description"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                parts.append(value)
        stack.extend(getattr(node, "children", ()))
    return "\n".join(parts)


def dashboard_for(rooms, module="05-listen") -> FacilitatorDashboard:
    board = FacilitatorDashboard(rooms, "http://192.0.2.10:8866/")
    board.create(module)
    return board


def test_the_key_gate_shows_nothing_of_the_room_until_the_key_matches(store, rooms):
    set_facilitator_key(store, "the-key")
    rooms.create("05-listen")
    opened = []

    def unlock():
        opened.append(True)
        return FacilitatorDashboard(rooms, "http://127.0.0.1:8866/")

    from rapport.store.rooms import facilitator_key_ok

    gate = KeyGate(lambda k: facilitator_key_ok(store, k), unlock, key="wrong")
    assert not opened and "does not match" in gate.status.value
    assert rooms.list()[0].code not in html_of(gate)
    assert gate.try_key("the-key") and opened
    assert rooms.list()[0].code in html_of(gate)  # the room can now be continued


def test_a_room_shows_its_code_qr_code_and_join_url(rooms):
    board = dashboard_for(rooms)
    shown = board.join_view.value
    assert board.room.code in shown and "<svg" in shown
    assert "http://192.0.2.10:8866/join" in shown
    assert 'aria-label="QR code for' in shown


def test_participants_follow_the_facilitator_and_see_revealed_results(rooms):
    board = dashboard_for(rooms)
    people = [ParticipantApp(rooms, token()) for _ in range(4)]
    for person in people:
        assert person.join(board.room.code.lower())
    assert people[0].current is None and "next question will appear" in html_of(people[0].stage)
    board.put_on_screen(ActivityRef.activity("listening-trap"))
    for n, person in enumerate(people):
        person.refresh()
        assert len(person.option_buttons) == 5
        person.option_buttons[n % 2].click()
    board.refresh()
    assert (board.present, board.answered) == (4, 4)
    assert "<b>4</b> present" in board.presence.value
    assert board.live.counts == [2, 2, 0, 0, 0]
    assert "Rehearsing my reply" in board.live.results.value
    assert not board.reveal_button.disabled
    board.reveal()
    people[0].refresh()
    assert people[0].phase == "revealed" and people[0].my_answer == "0"
    seen = html_of(people[0].stage)
    assert "Rehearsing my reply" in seen and "Your answer: Rehearsing my reply" in seen


def test_reveal_waits_for_three_answers(rooms):
    board = dashboard_for(rooms)
    board.put_on_screen(ActivityRef.activity("how-hard"))
    for value in (2, 5):
        person = ParticipantApp(rooms, token())
        person.join(board.room.code)
        person.option_buttons[value - 1].click()
    board.refresh()
    assert board.answered == 2 and board.reveal_button.disabled
    assert "Results show once at least 3" in board.live.results.value
    assert not board.reveal()
    assert board.phase == "open"


def test_participant_text_is_shown_as_text_on_the_dashboard(rooms):
    board = dashboard_for(rooms, "02-stay-true")
    board.put_on_screen(ActivityRef.activity("warm-on-screen"))
    for words in (XSS, "I listen better when I slow down", "third answer"):
        person = ParticipantApp(rooms, token())
        person.join(board.room.code, nickname=XSS)
        person.answer_box.value = words
        person.send_button.click()
        assert person.my_answer == words
    board.refresh()
    shown = html_of(board.live.moderation)
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and XSS not in shown
    hide = next(
        row.children[1] for row in board.live.moderation.children[1:] if "&lt;img" in html_of(row)
    )
    hide.click()
    assert "(hidden)" in html_of(board.live.moderation)
    assert [a.value for a in rooms.answers(board.room.code, board.room.current)] == [
        "I listen better when I slow down",
        "third answer",
    ]


def test_limits_are_explained_and_the_earlier_answer_is_kept(rooms):
    board = dashboard_for(rooms, "00-welcome")
    board.put_on_screen(ActivityRef.activity("check-in"))
    person = ParticipantApp(rooms, token())
    person.join(board.room.code)
    person.answer_box.value = "patience"
    assert person.answer("patience")
    assert not person.answer("x" * 31)
    assert "up to 30 characters (that was 31)" in person.answer_message
    assert "up to 30 characters (that was 31)" in person.answer_status.value
    assert rooms.my_answer(board.room.code, person.token, board.room.current) == "patience"


def test_wrong_codes_and_ended_rooms_get_clear_messages(rooms):
    person = ParticipantApp(rooms, token())
    assert not person.join("QQQ-QQQ")
    assert person.message_kind == "error" and "No room has the code QQQ-QQQ" in person.message
    assert "No room has the code QQQ-QQQ" in person.status.value
    assert not person.join("K7Q")
    assert "Room codes have 6 characters" in person.message
    board = dashboard_for(rooms)
    assert person.join(board.room.code)
    board.confirm_end.click()
    assert board.ended
    person.refresh()
    assert person.ended and "This workshop has ended" in html_of(person.stage)
    late = ParticipantApp(rooms, token())
    assert not late.join(board.room.code)
    assert "This workshop has ended" in late.status.value


def test_a_reload_rejoins_as_the_same_participant_with_the_answer_kept(rooms):
    board = dashboard_for(rooms)
    board.put_on_screen(ActivityRef.activity("how-hard"))
    me = token()
    first = ParticipantApp(rooms, me, code=board.room.code)
    assert first.room is None  # a first visit asks for the nickname before joining
    first.join(board.room.code)
    first.option_buttons[3].click()
    again = ParticipantApp(rooms, me)  # the reload: no code in the URL this time
    assert again.code == board.room.code and again.my_answer == "4"
    assert again.option_buttons[3].description.startswith("✓")
    assert rooms.present(board.room.code) == 1


def test_a_page_without_a_browser_token_cannot_join(rooms):
    person = ParticipantApp(rooms, None)
    assert person.join_button.disabled and "cookies" in person.status.value
    assert not person.join("K7Q-4M2")


def test_the_room_plays_a_scenario_by_vote_then_sees_the_reaction_then_the_coaching(rooms):
    board = dashboard_for(rooms)
    board.put_on_screen(ActivityRef.play("the-mixer"))
    people = [ParticipantApp(rooms, token()) for _ in range(3)]
    asked = "Three in the morning? What kept you going that month?"
    for person in people:
        person.join(board.room.code)
        [button] = [b for b in person.option_buttons if b.description == asked]
        button.click()  # wherever the room's shuffle put it: the same on every phone
    orders = {tuple(b.description for b in person.option_buttons) for person in people}
    assert len(orders) == 1
    board.refresh()
    assert board.live.votes == [0, 3, 0] and board.answered == 3  # by the choice as written
    assert people[0].current.is_vote and people[0].my_answer == "1"
    take = board.live.play_controls.children[0].children
    [top] = [b for b in take if "room's choice" in b.description]
    assert top.tooltip == asked
    top.click()
    people[0].refresh()
    assert people[0].phase == "revealed" and not people[0].coached
    seen = html_of(people[0].stage)
    assert "The room said:" in seen and "Stubbornness, mostly" in seen  # Dana's reaction
    assert "This helped" not in seen and "This helped" not in board.live.results.value
    [why, _next] = board.live.play_controls.children[0].children
    assert why.description == "Show the coaching"
    why.click()
    people[0].refresh()
    assert board.live.coached and people[0].coached
    assert "This helped the connection." in html_of(people[0].stage)
    assert "This helped the connection." in board.live.results.value
    steps = 1
    while board.live.play_controls.children:
        board.next_decision()
        board.take(0)
        steps += 1
        assert steps < 20
    people[1].refresh()
    assert "Debrief" in html_of(people[1].stage) and "Debrief" in board.live.results.value
    assert "The conversation, step by step" in board.live.results.value


def test_a_pair_exercise_runs_a_timer_everyone_sees(rooms):
    board = dashboard_for(rooms)
    board.put_on_screen(ActivityRef.activity("three-minute-listen"))
    person = ParticipantApp(rooms, token())
    person.join(board.room.code)
    board.timer_button.click()
    person.refresh()
    assert board.timer in ("10:00", "09:59") and person.timer in ("10:00", "09:59")
    assert "rp-timer" in board.timer_view.value
    assert 'role="timer"' in person.timer_view.value
    board.stop_timer_button.click()
    person.refresh()
    assert person.timer is None and person.timer_view.value == ""


def test_the_agenda_shows_where_the_room_is(rooms):
    board = dashboard_for(rooms)
    assert board.agenda_position == 0 and board.agenda_view.value.count("<li") == 7
    assert "(now)" in board.agenda_view.value.split("</li>")[0]
    board.agenda_step(1)
    assert board.agenda_position == 1
    assert "(now)" in board.agenda_view.value.split("</li>")[1]
    board.agenda_step(-5)
    assert board.agenda_position == 0 and board.room.state["agenda"] == 0


def test_sharing_a_reflection_is_explicit_and_anonymous(rooms, store):
    from rapport.room.model import activity_for  # noqa: F401  (shared ids resolve to prompts)
    from rapport.store.journal import Journal

    board = dashboard_for(rooms)
    shared_boxes: list[ReflectionBox] = []

    def reflections(room, share):
        from rapport.content.loading import load_module

        module = load_module(room.module)
        boxes = [
            ReflectionBox(room.module, p, lambda: Journal("ana", store), share=share)
            for p in module.reflections
        ]
        shared_boxes.extend(boxes)
        return boxes

    person = ParticipantApp(rooms, token(), reflections=reflections)
    person.join(board.room.code)
    box = shared_boxes[0]
    box.answer.value = "Private words"
    box.save()
    assert rooms.shared(board.room.code) == []  # saving never shares
    assert box.share()
    assert [a.value for a in rooms.shared(board.room.code)] == ["Private words"]
    assert "Shared anonymously" in box.status.value
    export = answers_frame(rooms, board.room.code)
    assert list(export["kind"]) == ["shared reflection"]


def test_downloads_hold_the_csv_and_a_printable_summary(rooms):
    import base64

    board = dashboard_for(rooms)
    board.put_on_screen(ActivityRef.activity("how-hard"))
    for value in (1, 4, 4):
        person = ParticipantApp(rooms, token())
        person.join(board.room.code)
        person.option_buttons[value - 1].click()
    board.prepare_downloads()
    links = board.downloads.value
    csv_b64 = links.split("base64,")[1].split('"')[0]
    csv = base64.b64decode(csv_b64).decode()
    assert csv.splitlines()[0] == "room,module,activity,kind,answer,hidden,answered_at"
    assert len(csv.splitlines()) == 4
    summary = base64.b64decode(links.split("base64,")[2].split('"')[0]).decode()
    assert "Average: <b>3.0</b>" in summary and board.room.code in summary


def test_the_ticker_is_idle_without_an_event_loop_and_ticks_with_one():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    calls = []
    ticker = Ticker(lambda: calls.append(1), every=0.01)

    async def run():
        assert ticker.start()
        await asyncio.sleep(0.1)
        ticker.stop()

    # In threads of their own: Playwright's sync API may run an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        assert not pool.submit(ticker.start).result()
        pool.submit(asyncio.run, run()).result()
    assert len(calls) >= 3


def test_the_countdown_reads_minutes_and_seconds_then_says_time_is_up(rooms):
    from datetime import timedelta

    from rapport.render.live import timer_html
    from rapport.room.model import time_left
    from rapport.store.database import utc_now

    room = rooms.start_timer(rooms.create("05-listen").code, 2)
    now = utc_now()
    assert time_left(room, now) in ("02:00", "01:59")
    assert time_left(room, now + timedelta(seconds=61)) in ("00:59", "00:58")
    assert "Time is up" in timer_html(time_left(room, now + timedelta(minutes=5)))
    assert timer_html(None) == ""


def test_a_locked_store_gives_a_clear_message_and_nothing_is_lost_or_counted_twice(
    tmp_path, monkeypatch
):
    import sqlite3

    import rapport.store.database
    from rapport.store.database import Store

    monkeypatch.setattr(rapport.store.database, "BUSY_TIMEOUT_MS", 200)  # give up fast in this test
    path = tmp_path / "locked.sqlite3"
    rooms = Rooms(Store(f"sqlite:///{path}"))
    board = dashboard_for(rooms)
    board.put_on_screen(ActivityRef.activity("how-hard"))
    person = ParticipantApp(rooms, token())
    person.join(board.room.code)
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        assert not person.answer(4)
        assert "did not reach the room; send it again" in person.answer_message
    finally:
        blocker.rollback()
        blocker.close()
    assert person.answer(4)
    assert rooms.answered(board.room.code, ActivityRef.activity("how-hard")) == 1


def test_a_joined_page_beats_so_the_browser_can_tell_its_kernel_is_alive(rooms):
    board = dashboard_for(rooms)
    person = ParticipantApp(rooms, token())
    assert person.pulse.value == ""  # not in a room: nothing to watch
    person.join(board.room.code)
    first = person.pulse.value
    assert person.ticks == 1 and 'class="rp-heartbeat"' in first
    for _ in range(5):
        person.refresh()
    assert person.pulse.value != first and 'class="rp-heartbeat"' in person.pulse.value


def test_every_text_box_reaches_the_kernel_whole_before_its_button():
    # Keystroke by keystroke, the browser holds back later keystrokes while earlier ones are
    # in flight, so a quick press of the button could act on text without its last letters.
    import ast
    from pathlib import Path

    import rapport.widgets

    boxes = []
    for path in Path(rapport.widgets.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("Text", "Textarea", "Password")
            ):
                flags = {k.arg: k.value for k in node.keywords}
                live = flags.get("continuous_update")
                boxes.append((path.name, node.lineno, getattr(live, "value", True)))
    assert len(boxes) >= 8
    assert [b for b in boxes if b[2] is not False] == []


def test_a_store_out_of_reach_is_said_on_both_pages_and_forgotten_once_it_answers(
    rooms, monkeypatch
):
    from rapport.errors import StoreUnavailable

    board = dashboard_for(rooms)
    person = ParticipantApp(rooms, token())
    person.join(board.room.code)
    real_get = rooms.get

    def unreachable(code):
        raise StoreUnavailable()

    monkeypatch.setattr(rooms, "get", unreachable)
    person.refresh()
    board.refresh()
    assert not person.reachable and "could not be reached" in person.status.value
    assert not board.reachable and "busy or unreachable" in board.status.value
    monkeypatch.setattr(rooms, "get", real_get)
    person.refresh()
    board.refresh()
    assert person.reachable and person.status.value == ""
    assert board.reachable and board.status.value == ""
