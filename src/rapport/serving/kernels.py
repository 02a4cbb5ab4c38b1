"""The workshop's kernel manager: a cap on live kernels, a limit per browser, and pages nobody
uses closed, so that kernels cannot pile up; spare (preheated) kernels warmed a few at a time.

Every page ``rapport serve`` renders has a kernel of its own (about 60 MB). Voila starts one
for every request and keeps it until the page asks for it to be shut down, so requests whose
page never connects (a script, a crawler), phones that sleep and browsers killed with their
tabs open used to leave kernels running all day, and nothing stopped a script on the network
from starting kernels until the memory ran out (voila#617). Here:

* **A cap** (``max_kernels``) on kernels alive or starting, spares included. A page asked for
  past it is refused (:class:`KernelRefused`, 503); a join that takes a spare already started
  is not, since it starts nothing; spares are refilled only when there is room.
* **A limit per browser** (``max_per_browser``), known by its ``rapport_id`` token (429).
* **Culling**, on jupyter_server's culler tick: a kernel whose page has not connected (no kernel
  websocket, as jupyter_server counts them) within ``cull_unconnected`` seconds is shut down,
  and one whose page has had no websocket for ``cull_idle`` seconds. A kernel still running its
  page is not yet late; a spare waiting in the pool is never culled.
* The facilitator's dashboard, opened with its key, is never refused and not counted against
  its browser; its kernel counts towards the cap (it takes memory like any other).

Voila wraps this class in its own (``VoilaKernelManager`` when pages are preheated), which
calls up to it for every kernel it starts, culls and shuts down. A page request reaches it
through :class:`ForVisitor`, so the kernel it starts or takes is known to be that browser's.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.web import HTTPError
from traitlets import Float, Integer
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from rapport import settings

FULL = 503  # the workshop is full: past the cap on live kernels
TOO_MANY = 429  # this browser holds as many kernels as one browser may
RUNNING = ("starting", "busy")  # execution states of a kernel still running its page
ROOM_POLL = 0.2  # seconds between looks for room for a spare, when at the cap
SHORTEST_TICK, LONGEST_TICK = 1, 10  # seconds between culler rounds


@dataclass(frozen=True)
class Visitor:
    """Who asks for a page: the browser's token, and whether the page is never refused."""

    token: str
    exempt: bool = False  # the facilitator's dashboard, opened with its key


class KernelRefused(HTTPError):
    """No kernel for this page now: the workshop is full (503), or this browser already holds
    as many kernels as one browser may (429). ``limit`` is the limit that was reached."""

    def __init__(self, status: int, limit: int):
        super().__init__(status)  # no log message: a refusal is no fault of the server's
        self.limit = limit


@dataclass
class Record:
    """What the manager knows of one kernel beyond Jupyter's own bookkeeping."""

    quiet_since: float  # since when no page has been connected and the kernel has been idle
    token: str = ""  # the browser it belongs to ("": a spare, or the facilitator's dashboard)
    spare: bool = False  # started for the pool
    claimed: bool = False  # a spare handed to a visitor
    connected: bool = False  # a page has connected to it at least once

    def claim(self, token: str, now: float) -> None:
        """A spare handed to a visitor: from now on its page is expected to connect."""
        self.token, self.claimed, self.quiet_since = token, True, now

    def overdue(
        self, now: float, connections: int, state: str | None, unconnected: float, idle: float
    ) -> str | None:
        """Why this kernel should be shut down now, or None to keep it.

        A kernel with a page connected, or still running its page, is kept and its clock
        starts again; a spare waiting in the pool is always kept. ``idle`` 0 keeps a kernel
        whose page has connected once for as long as the server runs.
        """
        if self.spare and not self.claimed:
            return None
        if connections > 0 or state in RUNNING:
            self.quiet_since = now
            return None
        quiet = now - self.quiet_since
        if not self.connected and quiet > unconnected:
            return f"its page did not connect within {unconnected:g} s"
        if self.connected and idle > 0 and quiet > idle:
            return f"no page has been connected to it for {quiet:.0f} s"
        return None


class WorkshopKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with a cap, a limit per browser, culling and paced spares.

    Spares: Voila fills and refills its pool all at once, and 30 spares starting together on
    two cores made every page in the room late. Here at most ``warming`` spares start at once,
    each counted until it has run the page up to its wait for a visitor (its websocket to
    ``/voila/query`` is open). Kernels for visitors are never held back by the pacing.
    """

    warming = Integer(
        max(1, os.cpu_count() or 1), config=True, help="Spare kernels warming up at once."
    )
    warm_timeout = Float(60.0, config=True, help="Seconds a spare may take to get warm.")
    max_kernels = Integer(
        0, config=True, help="Kernels alive or starting at once, spares included (0: no cap)."
    )
    max_per_browser = Integer(
        0, config=True, help="Kernels one browser may hold at once (0: no limit)."
    )
    cull_unconnected = Float(
        60.0, config=True, help="Seconds a kernel's page may take to connect before it is culled."
    )
    cull_idle = Float(
        600.0,
        config=True,
        help="Seconds a kernel is kept with no page connected, once one has (0: kept).",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.clock = time.monotonic
        self._gate: asyncio.Semaphore | None = None
        self._records: dict[str, Record] = {}
        self._starting = 0  # kernels being started, not yet in _records
        self._pending: Counter[str] = Counter()  # per token: kernels being started or taken
        self._claiming = 0  # joins about to take a spare that is ready
        self._closing = False
        # jupyter_server's culler runs only with a positive cull_idle_timeout; which kernels it
        # culls is decided in cull_kernel_if_idle below, from connections, not from activity.
        limits = [s for s in (self.cull_unconnected, self.cull_idle) if s > 0]
        self.cull_idle_timeout = max(1, int(min(limits)))
        self.cull_interval = max(SHORTEST_TICK, min(LONGEST_TICK, int(min(limits) / 6)))

    # -- what is alive, and whose --------------------------------------------------------------
    def live(self) -> int:
        """Kernels alive or starting, spares included: what the cap counts."""
        return len(self._records) + self._starting

    def held_by(self, token: str) -> int:
        """Kernels a browser holds or is being given (its dashboards left out)."""
        owned = sum(1 for r in self._records.values() if r.token == token)
        return owned + self._pending[token]

    def spares_ready(self, notebook_name: str) -> int:
        """Spares started for ``notebook_name`` and not yet promised to a visitor."""
        pool = getattr(self, "_pools", {}).get(notebook_name, [])  # Voila's, when preheating
        ready = sum(
            1 for task in pool if task.done() and not task.cancelled() and not task.exception()
        )
        return ready - self._claiming

    def admit(self, visitor: Visitor, spare_ready: bool = False) -> None:
        """Raise :class:`KernelRefused` if ``visitor`` may not have another kernel now.

        Synchronous on purpose: the caller counts the kernel as starting before it next waits,
        so that requests arriving together cannot all pass the same count.
        """
        if visitor.exempt:
            return
        if self.max_per_browser and self.held_by(visitor.token) >= self.max_per_browser:
            raise KernelRefused(TOO_MANY, self.max_per_browser)
        if not spare_ready and self.max_kernels and self.live() >= self.max_kernels:
            raise KernelRefused(FULL, self.max_kernels)

    # -- starting and taking kernels -------------------------------------------------------------
    async def start_kernel(self, *args, visitor: Visitor | None = None, **kwargs) -> str:
        """Start a kernel: a spare for the pool, or ``visitor``'s (refused past a limit)."""
        if (kwargs.get("env") or {}).get(settings.VOILA_PREHEAT) == "True":
            return await self._start_spare(*args, **kwargs)
        if visitor is not None:
            self.admit(visitor)
        token = "" if visitor is None or visitor.exempt else visitor.token
        return await self._start(Record(self.clock(), token=token), *args, **kwargs)

    async def _start(self, record: Record, *args, **kwargs) -> str:
        self._starting += 1
        self._pending[record.token] += 1
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
            self._pending -= Counter([record.token])  # drops the token at 0
        record.quiet_since = self.clock()
        self._records[kernel_id] = record
        return kernel_id

    async def _start_spare(self, *args, **kwargs) -> str:
        if self._gate is None:  # made on the server's event loop, where kernels start
            self._gate = asyncio.Semaphore(self.warming)
        await self._gate.acquire()
        try:
            while not self._room_for_one():  # spares count towards the cap: wait for room
                await asyncio.sleep(ROOM_POLL)
            kernel_id = await self._start(Record(self.clock(), spare=True), *args, **kwargs)
        except BaseException:
            self._gate.release()
            raise
        asyncio.get_running_loop().create_task(self._release_when_warm(kernel_id))
        return kernel_id

    def _room_for_one(self) -> bool:
        if self._closing:
            raise RuntimeError("the server is stopping: no spare kernel is started")
        return not self.max_kernels or self.live() < self.max_kernels

    async def _release_when_warm(self, kernel_id: str) -> None:
        deadline = time.monotonic() + self.warm_timeout
        try:
            while time.monotonic() < deadline and kernel_id in self:
                if kernel_waiting(kernel_id):
                    return
                await asyncio.sleep(0.1)
        finally:
            self._gate.release()

    async def take_spare(self, visitor: Visitor, *args, notebook_name: str, **kwargs) -> Any:
        """Voila's ``get_rendered_notebook`` for ``visitor``: hand them a spare of the page.

        A spare already started is given even at the cap (it starts nothing); with none ready,
        the visitor would wait for one to start, so the cap applies.
        """
        ready = self.spares_ready(notebook_name) > 0
        self.admit(visitor, spare_ready=ready)
        token = "" if visitor.exempt else visitor.token
        self._pending[token] += 1
        self._claiming += int(ready)
        try:
            rendered = await self.get_rendered_notebook(  # Voila's, which wraps this class
                *args, notebook_name=notebook_name, **kwargs
            )
        finally:
            self._pending -= Counter([token])
            self._claiming -= int(ready)
        if record := self._records.get(rendered[2]):  # (render task, cells so far, kernel id)
            record.claim(token, self.clock())
        return rendered

    # -- connections, culling and removal --------------------------------------------------------
    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        if record := self._records.get(kernel_id):
            record.connected = True
            record.quiet_since = self.clock()

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if record := self._records.get(kernel_id):
            record.quiet_since = self.clock()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Shut the kernel down if its page never connected, or has long been gone."""
        kernel, record = self._kernels.get(kernel_id), self._records.get(kernel_id)
        if kernel is None or record is None or self._closing:
            return
        state = getattr(kernel, "execution_state", None)
        if state == "dead":  # jupyter_server's own culler removes dead kernels
            await super().cull_kernel_if_idle(kernel_id)
            return
        connections = self._kernel_connections.get(kernel_id, 0)
        reason = record.overdue(
            self.clock(), connections, state, self.cull_unconnected, self.cull_idle
        )
        if reason:
            self.log.info("Shutting down kernel %s: %s.", kernel_id, reason)
            await self.shutdown_kernel(kernel_id)

    def remove_kernel(self, kernel_id: str):
        """Forget the kernel (shut down, or dead): every removal comes through here."""
        self._records.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)

    async def shutdown_all(self, *args, **kwargs) -> None:
        self._closing = True  # spares waiting for room give up
        await super().shutdown_all(*args, **kwargs)


class ForVisitor:
    """The kernel manager as one page request uses it: the kernel it starts or takes is the
    visitor's, and is refused past a limit. Everything else is the manager's own."""

    def __init__(self, manager: WorkshopKernelManager, visitor: Visitor):
        self._manager = manager
        self._visitor = visitor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def start_kernel(self, *args, **kwargs) -> str:
        return await self._manager.start_kernel(*args, visitor=self._visitor, **kwargs)

    async def get_rendered_notebook(self, *args, **kwargs) -> Any:
        return await self._manager.take_spare(self._visitor, *args, **kwargs)


class KernelSocketHandler(VoilaKernelWebsocketHandler):
    """Voila's kernel websocket, answering a page that reconnects to a kernel shut down since
    (culled while the phone slept) with a bare 404. jupyter_server's HTML error page needs a
    static path Voila does not set: each such reconnection logged two tracebacks."""

    def write_error(self, status_code: int, **kwargs) -> None:
        self.finish()  # the status is set; a websocket client reads nothing else


def kernel_waiting(kernel_id: str) -> bool:
    """Whether a spare kernel is waiting for its visitor, or already has one."""
    # Voila's websocket handler keeps, per kernel id, the open connection of a kernel that
    # waits, and the request details sent before the kernel connected.
    return (
        kernel_id in RequestInfoSocketHandler._waiters
        or kernel_id in RequestInfoSocketHandler._cache
    )
