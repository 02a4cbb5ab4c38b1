"""Ticker: call a refresh about once a second from the kernel's event loop, while the page lives.

Voila gives every visitor a kernel, and the room lives in the store, so each page polls the
store for what changed. The ticker runs as an asyncio task in the kernel (the comm messages it
causes go out like any widget update); where no event loop runs (plain Python, unit tests) it
stays idle and the view is refreshed by calling its method directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


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
