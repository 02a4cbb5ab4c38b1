"""The workshop server's side of forked kernels: asking the fork server for one, and handling
it as Jupyter handles a kernel it started itself (see :mod:`rapport.serving.forkserver`).

The kernel spec of ``rapport serve`` names :class:`ForkProvisioner`. It forks when the server
runs a fork server (``RAPPORT_FORK_SOCKET``) and the command is the page kernel's
(``python -m rapport.serving.kernel``); otherwise, or if the fork server does not answer, it
starts the kernel as a new process, as Jupyter always does.

Forking needs Linux: a kernel is handed to the server as a pidfd (``os.pidfd_open``, Linux
5.3). Elsewhere :func:`available` is false, ``rapport serve`` says so, and every kernel
starts from scratch.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from rapport import settings

ENV_SOCKET = settings.FORK_SOCKET
KERNEL_MODULE = "rapport.serving.kernel"
TIMEOUT = 10.0  # seconds the server waits for the fork server's answer
READY_TIMEOUT = 30.0  # seconds `rapport serve` waits for the fork server to be listening


class ForkError(OSError):
    """The fork server could not start a kernel."""


def is_page_kernel(argv: list[str]) -> bool:
    """Whether ``argv`` starts the page kernel with this Python (the fork server's own)."""
    return (
        len(argv) >= 3
        and argv[1:3] == ["-m", KERNEL_MODULE]
        and os.path.realpath(argv[0]) == os.path.realpath(sys.executable)
    )


class ForkedProcess:
    """A kernel forked by the fork server, handled as jupyter_client handles a ``Popen``.

    It is not this process's child, so it is watched and signalled through a pidfd, which
    always refers to that very process, even after its process id is reused.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int):
        self.pid = pid
        self.args = [KERNEL_MODULE]
        self.returncode: int | None = None
        self._pidfd: int | None = pidfd

    def poll(self) -> int | None:
        return self._wait(0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._wait(None if timeout is None else int(timeout * 1000))
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None and self._pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def close(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def _wait(self, timeout_ms: int | None) -> int | None:
        if self.returncode is None and self._pidfd is not None:
            watcher = select.poll()
            watcher.register(self._pidfd, select.POLLIN)
            if watcher.poll(timeout_ms):  # readable once the process has ended
                self.returncode = 0
                self.close()
        return self.returncode

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def fork_kernel(path: str, argv: list[str], env: dict[str, str], cwd: str) -> ForkedProcess:
    """Ask the fork server listening on ``path`` for a kernel running ``argv``."""
    request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(TIMEOUT)
        conn.connect(path)
        conn.sendall(request)
        data, fds, _flags, _address = socket.recv_fds(conn, 4096, 1)
        while data and not data.endswith(b"\n"):
            more = conn.recv(4096)
            if not more:
                break
            data += more
    try:
        reply = json.loads(data or b"{}")
    except ValueError:
        reply = {}
    if "pid" not in reply or not fds:
        for fd in fds:
            os.close(fd)
        raise ForkError(reply.get("error") or "the fork server gave no kernel")
    return ForkedProcess(int(reply["pid"]), fds[0])


class ForkProvisioner(LocalProvisioner):
    """Jupyter's local provisioner, forking page kernels from the fork server when there is
    one (see the module's docstring); kernels it cannot fork start as usual."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        path = settings.get(ENV_SOCKET)
        if path and is_page_kernel(cmd):
            env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                process = await asyncio.to_thread(fork_kernel, path, list(cmd), env, cwd)
            except OSError as err:
                self.log.warning("Starting a kernel without the fork server: %s", err)
            else:
                self.process = process
                self.pid = self.pgid = process.pid  # the child leads its own process group
                self.cwd = cwd
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)


# -- started by `rapport serve` ------------------------------------------------------------
def available() -> bool:
    """Whether kernels can be forked here: on Linux, with pidfds and fd passing."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "pidfd_open")
        and hasattr(signal, "pidfd_send_signal")
        and hasattr(socket, "send_fds")
    )


@contextlib.contextmanager
def running(log=print) -> Iterator[str | None]:
    """Run a fork server for as long as the block lasts; yields its socket's path (set in
    ``RAPPORT_FORK_SOCKET`` for the block), or None if it did not start."""
    if not available():
        log("  Kernels start from scratch: forking them needs Linux (pidfds).")
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="rapport-forks-"))
    path = str(folder / "kernels.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport.serving.forkserver", path],
        stdin=subprocess.DEVNULL,
        close_fds=True,
    )
    try:
        if wait_listening(path, process):
            os.environ[ENV_SOCKET] = path
            yield path
        else:
            log("  The fork server did not start: each page's kernel starts from scratch.")
            yield None
    finally:
        os.environ.pop(ENV_SOCKET, None)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def wait_listening(path: str, process: subprocess.Popen, seconds: float = READY_TIMEOUT) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(path)
            except OSError:
                time.sleep(0.05)
                continue
        return True
    return False
