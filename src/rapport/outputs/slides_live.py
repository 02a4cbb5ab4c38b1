"""What a running deck shows of the live room: on the projector, only what the room may see
(the slide, the join address, the live count, results once revealed, the role-play as the room
plays it, the timer); on the presenter's laptop, the same with the controls and the answers as
they arrive. Both are drawn from the room in the store, with the course's render helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from rapport.content.loading import ContentError, load_module
from rapport.content.schema import OpenText, PairExercise
from rapport.errors import RapportError
from rapport.outputs.slides import Deck, Slide, deck_named
from rapport.outputs.slides_html import slide_html
from rapport.render.html import inline, text
from rapport.render.live import join_card_html, timer_html
from rapport.render.results import KIND_NAME, results_html, waiting_html
from rapport.render.scenario import reaction_html, room_play_html, says_html, you_html
from rapport.room.model import Room, activity_for, coached, play_run, time_left
from rapport.room.tally import MIN_TO_REVEAL
from rapport.store.database import utc_now
from rapport.store.rooms import Rooms
from rapport.store.support import Service

PHASE = {"open": "open for answers", "closed": "answers closed", "revealed": "results shown"}


@dataclass(frozen=True)
class Showing:
    """The deck a room is presenting, and the slide it is at."""

    deck: Deck
    at: int
    started: datetime | None = None
    part_started: datetime | None = None

    @property
    def slide(self) -> Slide:
        return self.deck.slides[self.at]


def showing(room: Room) -> Showing | None:
    """The deck the room presents (from its state), or None when no deck runs."""
    state = room.state.get("slides")
    if not state:
        return None
    try:
        deck = deck_named(state["deck"])
        at = min(max(int(state.get("at", 0)), 0), len(deck) - 1)
    except (RapportError, ContentError, KeyError, TypeError, ValueError):
        return None
    started, part = state.get("started"), state.get("part_started")
    return Showing(
        deck,
        at,
        datetime.fromisoformat(started) if started else None,
        datetime.fromisoformat(part) if part else None,
    )


def is_live(room: Room, slide: Slide) -> bool:
    """Whether the slide's activity or role-play is the one on the room's phones now."""
    return slide.live is not None and slide.module == room.module and room.activity == slide.live


def _count(n: int, word: str) -> str:
    return f'<p class="count" role="status"><b>{n}</b> {word}{"" if n == 1 else "s"} so far</p>'


def _join_strip(public_url: str, code: str) -> str:
    return (
        f'<p class="join-strip">Join at <b>{inline(public_url)}join</b> with the code '
        f"<b>{inline(code)}</b></p>"
    )


def _frame(eyebrow: str, title: str, body: str, dense: bool = True) -> str:
    """A projector slide of the projector's own (results, a role-play as it is played)."""
    size = " dense" if dense else ""
    return (
        f'<section class="slide slide-live{size} current" aria-roledescription="slide" '
        f'aria-label="{inline(title)}"><div class="slide-body">'
        f'<p class="eyebrow">{inline(eyebrow)}</p><h1>{inline(title)}</h1>{body}</div></section>'
    )


def _play_for_room(rooms: Rooms, room: Room) -> str:
    """The role-play as the room sees it: the words to answer and the count while it votes,
    then the room's choice, the reaction, the coaching once shown, and at the end the debrief."""
    run = play_run(room)
    scenario = run.scenario
    name = scenario.character.name
    if room.phase == "open":
        body = says_html(name, run.says, run.cue) + _count(
            rooms.answered(room.code, room.current), "vote"
        )
    elif not run.finished:
        body = room_play_html(run, voting=False, coached=coached(room))
    else:
        debrief = run.debrief()
        step = run.last_step
        lines = "".join(f"<p>{inline(line.text)}</p>" for line in debrief.lines)
        questions = "".join(f"<li>{inline(q)}</li>" for q in debrief.questions)
        body = (
            (you_html(step, "The room said") + reaction_html(step, name) if step else "")
            + says_html(name, run.says, run.cue)
            + f'<div class="rp-debrief"><h2>Debrief</h2>{text(debrief.debrief)}{lines}'
            + (f"<ul>{questions}</ul>" if questions else "")
            + "</div>"
        )
    return _frame("Role-play", scenario.title, body)


def _results_for_room(rooms: Rooms, room: Room) -> str:
    activity = activity_for(room, room.current)
    result = rooms.tally(room.code, room.current)
    if isinstance(activity, OpenText):
        # A hidden text leaves the wall, not the count: the others are no less anonymous.
        result = replace(result, count=rooms.answered(room.code, room.current))
    low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
    return _frame(
        KIND_NAME[activity.kind], activity.prompt, results_html(result, activity.prompt, low, high)
    )


def _open_activity(rooms: Rooms, room: Room) -> str:
    """Under a live activity slide: how many answered, and whether answers are open."""
    activity = activity_for(room, room.current)
    if isinstance(activity, PairExercise):
        return ""
    answered = rooms.answered(room.code, room.current)
    closed = "" if room.phase == "open" else '<p class="meta">Answers are closed.</p>'
    return closed + _count(answered, "answer")


def projector_html(rooms: Rooms, code: str, public_url: str, services: list[Service]) -> str:
    """The projector's one slide now: what the room may see, and nothing else."""
    room = rooms.get(code)
    if room.ended:
        return _frame("Rapport", "This workshop has ended", "<p>Thank you for taking part!</p>")
    timer = timer_html(time_left(room, _now()))
    current = showing(room)
    if current is None:
        return _lobby(rooms, room, public_url, timer)
    slide = current.slide
    if is_live(room, slide) and room.playing:
        return _play_for_room(rooms, room)
    if is_live(room, slide) and room.phase == "revealed":
        return _results_for_room(rooms, room)
    live = _open_activity(rooms, room) if is_live(room, slide) else ""
    if slide.live is not None or slide.kind in ("title", "session"):
        live += _join_strip(public_url, room.code)
    if slide.kind in ("title", "session"):
        live = join_card_html(public_url, room.code)
    return slide_html(
        slide, current.at + 1, len(current.deck), services, live=live + timer, current=True
    )


def _lobby(rooms: Rooms, room: Room, public_url: str, timer: str) -> str:
    """Before a deck runs: how to join, and whatever the dashboard has put on the phones."""
    label = load_module(room.module).label
    body = join_card_html(public_url, room.code)
    if room.current is not None and room.playing:
        return _play_for_room(rooms, room)
    if room.current is not None and room.phase == "revealed":
        return _results_for_room(rooms, room)
    if room.current is not None:
        activity = activity_for(room, room.current)
        body += f'<p class="meta">{KIND_NAME[activity.kind]}</p>{text(activity.prompt)}'
        body += _open_activity(rooms, room)
    return _frame("Join the room", label, body + timer, dense=False)


def _button(
    act: str, label: str, arg: object = "", disabled: bool = False, main: bool = False
) -> str:
    off = " disabled" if disabled else ""
    css = ' class="main"' if main else ""
    return (
        f'<button type="button"{css} data-act="{act}" data-arg="{inline(str(arg))}"{off}>'
        f"{inline(label)}</button>"
    )


def presenter_live_html(rooms: Rooms, room: Room, slide: Slide) -> str:
    """The presenter's panel for the slide: what is on the phones, the answers as they arrive,
    and the buttons that run the slide's activity or role-play."""
    timer = time_left(room, _now())
    clock = f'<p class="meta">Timer: <b>{timer}</b> {_button("stop-timer", "Stop timer")}</p>'
    tail = clock if timer else ""
    if room.ended:
        return '<p class="meta">This room has ended.</p>'
    if slide.live is None:
        return _on_phones(room) + tail
    if slide.module != room.module:
        return (
            f'<p class="note">This slide belongs to {inline(load_module(slide.module).label)}, '
            f"and room {room.code} runs {inline(load_module(room.module).label)}: it shows "
            "as a plain slide. To run it live, create a room for that module on the "
            "dashboard.</p>"
        ) + tail
    if room.activity != slide.live:
        label = "Start the role-play" if slide.live.kind == "play" else "Open it on the phones"
        return (
            '<p class="meta">Not on the phones now.</p>' + _button("open", label, main=True) + tail
        )
    if room.playing:
        return _presenter_play(rooms, room) + tail
    activity = activity_for(room, room.current)
    present = rooms.present(room.code)
    head = f'<p class="meta">{KIND_NAME[activity.kind]} · {PHASE[room.phase]} · {present} present'
    if isinstance(activity, PairExercise):
        start = _button("timer", f"Start a {activity.minutes}-minute timer", activity.minutes)
        return head + "</p>" + (tail or start)
    answered = rooms.answered(room.code, room.current)
    head += f" · <b>{answered}</b> answered</p>"
    buttons = [
        _button("close", "Close answers", disabled=room.phase != "open"),
        _button("reopen", "Reopen answers", disabled=room.phase == "open"),
        _button(
            "reveal",
            "Reveal results",
            disabled=room.phase == "revealed" or answered < MIN_TO_REVEAL,
            main=True,
        ),
    ]
    return (
        head + f'<p class="buttons">{"".join(buttons)}</p>' + _answers(rooms, room, activity) + tail
    )


def _answers(rooms: Rooms, room: Room, activity) -> str:
    """The answers so far, for the presenter alone (texts with a Hide button each)."""
    if isinstance(activity, OpenText):
        answers = rooms.answers(room.code, room.current, include_hidden=True)
        if len(answers) < MIN_TO_REVEAL:
            return waiting_html(len(answers))
        rows = "".join(
            f"<li>{'<i>(hidden)</i>' if a.hidden else inline(a.value)} "
            + _button("show" if a.hidden else "hide", "Show again" if a.hidden else "Hide", a.id)
            + "</li>"
            for a in answers
        )
        return f'<ul class="answers">{rows}</ul>'
    result = rooms.tally(room.code, room.current)
    low, high = getattr(activity, "low", ""), getattr(activity, "high", "")
    return results_html(result, activity.prompt, low, high)


def _presenter_play(rooms: Rooms, room: Room) -> str:
    run = play_run(room)
    if room.phase == "open":
        result = rooms.tally(room.code, room.current)
        votes = result.table["votes"].tolist()
        rows = "".join(
            f"<li>{inline(choice.text)}: <b>{votes[i]}</b> "
            + _button("take", f"Take {n}", i, main=votes[i] == max(votes) and result.count > 0)
            + "</li>"
            for n, (i, choice) in enumerate(run.options, start=1)
        )
        return (
            says_html(run.scenario.character.name, run.says, run.cue)
            + f'<p class="meta">The room votes ({result.count} so far):</p><ol>{rows}</ol>'
        )
    buttons = []
    if not run.finished and not coached(room) and run.scenario.coaching != "at-end":
        buttons.append(_button("coach", "Show the coaching"))
    if not run.finished:
        buttons.append(_button("next", "Next decision", main=True))
    else:
        buttons.append(_button("open", "Play it again"))
    return room_play_html(run, False, coached(room)) + f'<p class="buttons">{"".join(buttons)}</p>'


def _on_phones(room: Room) -> str:
    if room.current is None:
        return '<p class="meta">The phones show a waiting message.</p>'
    if room.playing:
        title = load_module(room.module).scenario(room.playing).title
        return f'<p class="meta">On the phones: the role-play {inline(title)}.</p>'
    activity = activity_for(room, room.current)
    return (
        f'<p class="meta">Still on the phones: {KIND_NAME[activity.kind]} · '
        f"{inline(activity.prompt)} ({PHASE[room.phase]}).</p>"
    )


def _now() -> datetime:
    return utc_now()
