"""Spare kernels warm up a few at a time; kernels for visitors are never held back."""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from voila.request_info_handler import RequestInfoSocketHandler

from rapport.serving.serve import PacedKernelManager

from ..browsing import run_alone

SPARE = {"env": {"VOILA_PREHEAT": "True"}}


def test_spares_start_one_warm_kernel_at_a_time_and_visitors_do_not_wait(monkeypatch):
    started: list[str] = []

    async def fake_start(self, *args, **kwargs):
        kernel_id = f"k{len(started)}"
        started.append(kernel_id)
        self.alive.add(kernel_id)
        return kernel_id

    monkeypatch.setattr(AsyncMappingKernelManager, "start_kernel", fake_start)
    monkeypatch.setattr(PacedKernelManager, "__contains__", lambda self, k: k in self.alive)
    waiters = {}
    monkeypatch.setattr(RequestInfoSocketHandler, "_waiters", waiters)

    async def scenario():
        manager = PacedKernelManager(warming=1)
        manager.alive = set()
        spares = [asyncio.create_task(manager.start_kernel(**SPARE)) for _ in range(3)]
        await asyncio.sleep(0.3)
        assert started == ["k0"]  # the others wait for the first to get warm
        assert await manager.start_kernel(env={}) == "k1"  # a visitor's kernel: at once
        waiters["k0"] = object()  # k0 now waits for its visitor: the next spare may start
        await asyncio.sleep(0.3)
        assert started == ["k0", "k1", "k2"]
        manager.alive.discard("k2")  # a spare that dies while warming frees its place too
        assert sorted(await asyncio.gather(*spares)) == ["k0", "k2", "k3"]

    run_alone(scenario())
