"""What the live room's pages share: their state as traits, and a ticker that reads the room.

Voila gives every visitor a kernel, and the room lives in the store, so each page polls the
store for what changed. The ticker runs as an asyncio task in the kernel (the comm messages it
causes go out like any widget update); where no event loop runs (plain Python, unit tests) it
stays idle and the view is refreshed by calling its method directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import ipywidgets as w
from traitlets import Bool, Enum, Instance, Unicode, observe

from rapport.render.html import notice
from rapport.render.live import timer_html
from rapport.room.model import PHASES
from rapport.room.refs import ActivityRef

log = logging.getLogger(__name__)
KINDS = ("ok", "note", "error")


class LiveRoomView(w.VBox):
    """A page that follows a room: the participant's and the facilitator's.

    Subclasses give it ``status`` and ``timer_view`` widgets, and say what ``UNREACHABLE``
    reads when the store does not answer.
    """

    UNREACHABLE = "The store could not be reached just now; trying again…"

    code = Unicode("", help="The room this page follows; empty before there is one.")
    module_id = Unicode("", help="The module the room runs.")
    current = Instance(ActivityRef, allow_none=True, help="What participants answer now.")
    phase = Enum(PHASES, "closed", help="Whether answers are closed, open or revealed.")
    ended = Bool(False, help="Whether the room has ended.")
    timer = Unicode(None, allow_none=True, help="The room's countdown (mm:ss) while one runs.")
    reachable = Bool(True, help="Whether the last reading of the room reached the store.")
    message = Unicode("", help="What the page tells its reader now (empty: nothing).")
    message_kind = Enum(KINDS, "note", help="How the message reads: ok, note or error.")

    status: w.HTML
    timer_view: w.HTML

    @observe("timer")
    def _show_timer(self, _change=None) -> None:
        self.timer_view.value = timer_html(self.timer)

    @observe("message", "message_kind", "reachable")
    def _show_status(self, _change=None) -> None:
        if not self.reachable:
            self.status.value = notice("note", self.UNREACHABLE)
        else:
            self.status.value = notice(self.message_kind, self.message) if self.message else ""

    def _say(self, kind: str, message: str) -> None:
        with self.hold_trait_notifications():
            self.message_kind, self.message = kind, message


class Ticker:
    def __init__(self, callback: Callable[[], None], every: float = 1.0):
        self.callback = callback
        self.every = every
        self.task: asyncio.Task | None = None
        self.failures = 0

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self) -> bool:
        """Start ticking; False when there is no running event loop to tick on."""
        if self.running:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self.task = loop.create_task(self._run())
        return True

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                self.callback()
                self.failures = 0
            except Exception:  # the view shows its own message; keep the page alive
                self.failures += 1
                log.exception("refresh failed (%d in a row)", self.failures)
