"""Helpers for the browser tests: Chromium's settings, free ports, and waiting for a server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rapport.handouts import BROWSER_FLAGS

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
def serving(folder: Path, db_url: str, port: int | None = None) -> Iterator[str]:
    """``rapport serve`` on a loopback port with its own store and log; stopped by process id."""
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
            [sys.executable, "-m", "rapport.cli", "serve", "--port", str(port)],
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
