"""Helpers for the browser tests: Chromium's settings, free ports, and waiting for a server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from rapport.outputs.handouts import BROWSER_FLAGS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(BROWSER_FLAGS)
WIDGET_ERRORS = (
    "Failed to load model class",
    "Traceback",
    "Error displaying widget",
    "model not found",
)
FACILITATOR_KEY = "suite-facilitator-key-0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workshop server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"the workshop server did not answer at {url} within {seconds} s")


def stop(process: subprocess.Popen, seconds: float = 20) -> None:
    """Stop a server started with ``start_new_session=True``, by its process group id."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def serving(
    folder: Path, db_url: str, port: int | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """``rapport serve [args]`` on a loopback port with its own store and log; stopped by
    process id."""
    root = Path(__file__).resolve().parents[1]
    port = port or free_port()
    env = {
        **os.environ,
        "RAPPORT_DB_URL": db_url,
        "RAPPORT_JOURNAL_URL": db_url.replace(".sqlite3", "-journal.sqlite3"),
        "RAPPORT_FACILITATOR_KEY": FACILITATOR_KEY,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"voila-{port}.log").open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rapport.cli", "serve", "--port", str(port), *args],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/", process)
            yield base
        finally:
            stop(process)


def scale_answered(facilitator_page, phone_page, server: str, value: int) -> str:
    """The facilitator opens module 05's 1-5 scale in a new room; the phone joins and answers.

    Returns the room code.
    """
    board = facilitator_page
    board.goto(f"{server}/facilitator?key={FACILITATOR_KEY}", timeout=90_000)
    board.get_by_label("Module").select_option(label="05 · Listen to understand")
    board.get_by_role("button", name="Create a room").click(timeout=90_000)
    code = board.locator(".rp-code").inner_text(timeout=30_000).strip()
    board.get_by_label("On screen next").select_option(index=3)  # the 1-5 scale
    board.get_by_role("button", name="Put on screen").click()
    phone_page.goto(f"{server}/join?code={code}", timeout=90_000)
    phone_page.get_by_role("button", name="Join").click(timeout=90_000)
    phone_page.get_by_role("button", name=str(value), exact=True).click(timeout=30_000)
    phone_page.get_by_role("button", name=f"✓ {value}").wait_for(timeout=10_000)
    return code


def run_alone(coroutine):
    """Run ``coroutine`` to its end on an event loop in a thread of its own: Playwright's sync
    API keeps one running in the main thread once the browser tests have started."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
