"""Helpers for the browser tests: Chromium's settings, free ports, and waiting for a server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

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
