"""The workshop's kernel manager: a cap on live kernels, a limit per browser, culling of pages
that never connect or have gone, and spares warmed a few at a time. Jupyter's own kernel start
and shutdown are replaced by stand-ins: no kernel process is started here."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from voila.request_info_handler import RequestInfoSocketHandler

from rapport.serving.kernels import (
    FULL,
    TOO_MANY,
    ForVisitor,
    KernelRefused,
    Record,
    Visitor,
    WorkshopKernelManager,
)

from ..browsing import run_alone

SPARE = {"env": {"VOILA_PREHEAT": "True"}}
JOIN = "notebooks/join.ipynb"
DASHBOARD = Visitor("facilitator-browser-token-0001", exempt=True)


def visitor(name: str) -> Visitor:
    return Visitor(f"browser-token-{name}".ljust(24, "0"))


@pytest.fixture
def started(monkeypatch) -> list[str]:
    """Jupyter's kernel start replaced: each start takes ``manager.start_seconds`` and adds an
    idle kernel to the manager's map, as Jupyter does once a kernel is up."""
    ids: list[str] = []

    async def fake_start(self, *args, **kwargs):
        await asyncio.sleep(getattr(self, "start_seconds", 0))
        kernel_id = f"k{len(ids)}"
        ids.append(kernel_id)
        self._kernels[kernel_id] = SimpleNamespace(execution_state="idle")
        self._kernel_connections[kernel_id] = 0
        return kernel_id

    async def fake_shutdown(self, kernel_id, *args, **kwargs):
        self.shut.append(kernel_id)
        self.remove_kernel(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "start_kernel", fake_start)
    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", fake_shutdown)
    return ids


def manager(**limits) -> WorkshopKernelManager:
    made = WorkshopKernelManager(**limits)
    made.shut = []
    return made


def test_spares_start_one_warm_kernel_at_a_time_and_visitors_do_not_wait(started, monkeypatch):
    waiters = {}
    monkeypatch.setattr(RequestInfoSocketHandler, "_waiters", waiters)

    async def scenario():
        kernels = manager(warming=1)
        spares = [asyncio.create_task(kernels.start_kernel(**SPARE)) for _ in range(3)]
        await asyncio.sleep(0.3)
        assert started == ["k0"]  # the others wait for the first to get warm
        assert await kernels.start_kernel(env={}) == "k1"  # a visitor's kernel: at once
        waiters["k0"] = object()  # k0 now waits for its visitor: the next spare may start
        await asyncio.sleep(0.3)
        assert started == ["k0", "k1", "k2"]
        kernels.remove_kernel("k2")  # a spare that dies while warming frees its place too
        assert sorted(await asyncio.gather(*spares)) == ["k0", "k2", "k3"]

    run_alone(scenario())


def test_past_the_cap_a_visitor_is_refused_but_the_facilitators_dashboard_is_not(started):
    async def scenario():
        kernels = manager(max_kernels=3)
        for name in "abc":
            await kernels.start_kernel(env={}, visitor=visitor(name))
        with pytest.raises(KernelRefused) as full:
            await kernels.start_kernel(env={}, visitor=visitor("d"))
        assert (full.value.status_code, full.value.limit) == (FULL, 3)
        dashboard = await kernels.start_kernel(env={}, visitor=DASHBOARD)
        assert kernels.live() == 4  # the dashboard takes memory too: it counts
        kernels.remove_kernel("k0")
        with pytest.raises(KernelRefused):
            await kernels.start_kernel(env={}, visitor=visitor("d"))
        kernels.remove_kernel(dashboard)
        assert await kernels.start_kernel(env={}, visitor=visitor("d")) == "k4"
        assert kernels.live() == 3

    run_alone(scenario())


def test_requests_arriving_together_cannot_all_pass_the_same_count(started):
    async def scenario():
        kernels = manager(max_kernels=2)
        kernels.start_seconds = 0.05  # all five are asked for before any has started
        asked = [kernels.start_kernel(env={}, visitor=visitor(str(n))) for n in range(5)]
        results = await asyncio.gather(*asked, return_exceptions=True)
        assert sorted(r for r in results if isinstance(r, str)) == ["k0", "k1"]
        assert [r.status_code for r in results if isinstance(r, KernelRefused)] == [FULL] * 3
        assert kernels.live() == 2

    run_alone(scenario())


def test_a_browser_past_its_own_limit_is_refused_with_429_and_others_are_not(started):
    async def scenario():
        kernels = manager(max_per_browser=2)
        mine = ForVisitor(kernels, visitor("a"))  # as a page request sees the manager
        await mine.start_kernel(env={})
        await mine.start_kernel(env={})
        with pytest.raises(KernelRefused) as many:
            await mine.start_kernel(env={})
        assert (many.value.status_code, many.value.limit) == (TOO_MANY, 2)
        assert await kernels.start_kernel(env={}, visitor=visitor("b")) == "k2"
        facilitator = Visitor(visitor("a").token, exempt=True)  # the dashboard, same browser
        assert await kernels.start_kernel(env={}, visitor=facilitator) == "k3"
        assert kernels.held_by(visitor("a").token) == 2
        kernels.remove_kernel("k0")  # a tab closed: room again
        assert await mine.start_kernel(env={}) == "k4"

    run_alone(scenario())


def test_spares_are_refilled_only_when_there_is_room_under_the_cap(started, monkeypatch):
    async def nothing(self, *args, **kwargs):
        return None

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_all", nothing)
    monkeypatch.setattr(RequestInfoSocketHandler, "_waiters", {"k2": object()})

    async def scenario():
        kernels = manager(max_kernels=2, warming=2)
        await kernels.start_kernel(env={}, visitor=visitor("a"))
        await kernels.start_kernel(env={}, visitor=visitor("b"))
        spare = asyncio.create_task(kernels.start_kernel(**SPARE))
        await asyncio.sleep(0.5)
        assert not spare.done() and started == ["k0", "k1"]  # at the cap: the refill waits
        kernels.remove_kernel("k0")
        assert await asyncio.wait_for(spare, 2) == "k2"
        waiting = asyncio.create_task(kernels.start_kernel(**SPARE))
        await asyncio.sleep(0.3)
        await kernels.shutdown_all()  # the server stops: a spare waiting for room gives up
        with pytest.raises(RuntimeError, match="stopping"):
            await asyncio.wait_for(waiting, 2)

    run_alone(scenario())


def test_a_join_takes_a_ready_spare_even_at_the_cap_and_it_becomes_the_browsers(started):
    async def scenario():
        kernels = manager(max_kernels=2, max_per_browser=1)
        spare = await kernels.start_kernel(**SPARE)
        await kernels.start_kernel(env={}, visitor=visitor("a"))
        ready = asyncio.get_running_loop().create_future()
        ready.set_result({"kernel_id": spare})
        kernels._pools = {JOIN: [ready]}  # Voila's pool, as VoilaKernelManager keeps it

        async def hand_out(notebook_name, **kwargs):
            kernels._pools[notebook_name].pop(0)
            return "render task", [], spare

        kernels.get_rendered_notebook = hand_out
        joining = ForVisitor(kernels, visitor("b"))
        assert (await joining.get_rendered_notebook(notebook_name=JOIN))[2] == spare
        assert kernels.held_by(visitor("b").token) == 1  # the spare is now that browser's
        with pytest.raises(KernelRefused) as full:  # no spare left, and at the cap
            await ForVisitor(kernels, visitor("c")).get_rendered_notebook(notebook_name=JOIN)
        assert full.value.status_code == FULL
        # A refill still starting (its task not done): no spare is ready.
        kernels._pools[JOIN] = [asyncio.get_running_loop().create_future()]
        with pytest.raises(KernelRefused) as many:  # b already holds one: its own limit first
            await joining.get_rendered_notebook(notebook_name=JOIN)
        assert many.value.status_code == TOO_MANY

    run_alone(scenario())


@pytest.mark.parametrize(
    ("record", "connections", "state", "now", "expected"),
    [
        (Record(0.0), 0, "idle", 59.0, None),
        (Record(0.0), 0, "idle", 61.0, "its page did not connect within 60 s"),
        (Record(0.0), 0, "busy", 61.0, None),  # still running its page: not late yet
        (Record(0.0), 1, "idle", 10_000.0, None),  # a page is connected
        (Record(0.0, connected=True), 0, "idle", 599.0, None),
        (Record(0.0, connected=True), 0, "idle", 601.0, "no page has been connected"),
        (Record(0.0, spare=True), 0, "idle", 10_000.0, None),  # waiting in the pool
        (Record(0.0, spare=True, claimed=True), 0, "idle", 61.0, "did not connect"),
    ],
)
def test_when_a_kernel_is_overdue(record, connections, state, now, expected):
    reason = record.overdue(now, connections, state, unconnected=60, idle=600)
    assert reason is None if expected is None else expected in reason


def test_a_connected_page_that_left_is_kept_for_ever_when_idle_culling_is_off():
    record = Record(0.0, connected=True)
    assert record.overdue(10**6, 0, "idle", unconnected=60, idle=0) is None
    assert Record(0.0).overdue(61, 0, "idle", unconnected=60, idle=0) is not None


def test_the_culler_closes_unconnected_and_abandoned_pages_and_keeps_spares(started):
    now = [0.0]

    async def scenario():
        kernels = manager(cull_unconnected=10, cull_idle=30)
        kernels.clock = lambda: now[0]
        never, gone, spare = (
            await kernels.start_kernel(env={}, visitor=visitor("a")),
            await kernels.start_kernel(env={}, visitor=visitor("b")),
            await kernels.start_kernel(**SPARE),
        )
        assert 1 <= kernels.cull_interval <= 2  # rounds often enough for short limits
        kernels.notify_connect(gone)
        now[0] = 11.0
        await kernels.cull_kernels()  # jupyter_server's round, calling cull_kernel_if_idle
        assert kernels.shut == [never]
        now[0] = 20.0
        kernels.notify_disconnect(gone)  # the phone went to sleep at 20 s, between rounds
        now[0] = 49.0
        await kernels.cull_kernels()
        assert kernels.shut == [never]
        now[0] = 51.0
        await kernels.cull_kernels()
        assert kernels.shut == [never, gone]
        assert kernels.live() == 1 and spare in kernels  # the spare waits for its visitor

    run_alone(scenario())


def test_the_culler_round_follows_the_shortest_limit():
    assert manager(cull_unconnected=60, cull_idle=600).cull_interval == 10
    assert manager(cull_unconnected=12, cull_idle=0).cull_interval == 2
    assert manager(cull_unconnected=60, cull_idle=6).cull_interval == 1
