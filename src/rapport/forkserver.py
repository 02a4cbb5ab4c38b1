"""Page kernels forked from a process that has already imported what every page uses.

A page's kernel is a new Python process. Before it runs the page's first cell it spends about
0.35 s importing IPython, ipykernel and ipywidgets, and the first cell spends another 0.3 s
importing SQLAlchemy, pydantic and the course's modules. That is most of what makes a module
page slower to open than an empty one, and every person in a room pays it.

``rapport serve`` starts one *fork server* beside Voila: a process that imports all of that
and reads the course's content once, then waits on a Unix socket in a private folder. Asked
for a kernel, it forks, and the child becomes the kernel. Each kernel is still a new process,
started when its page is asked for, and it runs every cell of the page (a cold start): it
gets the environment, working folder and command line the server chose for it, in a session
of its own. Only the imports are done, and the content read (a file changed since is read
again); that memory stays shared with the fork server until a kernel writes to it. Changes
to the package's own code reach pages when the server restarts (``--no-fork`` for that).

The kernel spec of ``rapport serve`` names :class:`ForkProvisioner`. It forks when the server
runs a fork server (``RAPPORT_FORK_SOCKET``) and the command is the page kernel's
(``python -m rapport.kernel``); otherwise, or if the fork server does not answer, it starts
the kernel as a new process, as Jupyter always does. The fork server reaps its children, so
the kernel's exit status is not known to the server (it reads 0).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from jupyter_client.provisioning import LocalProvisioner

ENV_SOCKET = "RAPPORT_FORK_SOCKET"
TITLE = "rapport fork server"  # its command line, as ps shows it
KERNEL_MODULE = "rapport.kernel"
# What pages import: the kernel itself, then the modules behind the course's notebooks
# (lesson: every module; live: join and dashboard; study: progress and journal).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipywidgets",
    "rapport.lesson",
    "rapport.live",
    "rapport.preheat",
    "rapport.widgets.activity",
    "rapport.widgets.assessment",
    "rapport.widgets.reflection",
    "rapport.widgets.room",
    "rapport.widgets.scenario_player",
    "rapport.widgets.study",
)
# ipywidgets registers its comm targets when it is imported into a running kernel. Imported
# before there was one, it does so as an IPython extension: without its control target, a
# page's browser would fetch every widget's state in a message of its own (0.7 s more on a
# module page, with about 290 widget models).
KERNEL_ARGS = ("--IPKernelApp.extensions=ipywidgets",)
REQUEST_LIMIT = 1 << 20  # bytes: a command line and an environment
TIMEOUT = 10.0  # seconds the server waits for the fork server's answer
READY_TIMEOUT = 30.0  # seconds `rapport serve` waits for the fork server to be listening


class ForkError(OSError):
    """The fork server could not start a kernel."""


# -- the fork server -----------------------------------------------------------------------
def preload() -> None:
    """Import what page kernels use, as ``rapport.kernel`` would (no debugger, no plugins)."""
    from rapport.kernel import prepare

    prepare()
    for name in PRELOAD:
        importlib.import_module(name)


def preload_content() -> None:
    """Read the course's content once. It is cached by file and modification time, so a
    kernel still reads again any file changed since; broken content is left for a page to
    report."""
    from rapport.content import ContentError, load_assessment, load_manifest, load_module

    with contextlib.suppress(ContentError, OSError):
        for module_id in load_manifest().modules:
            load_module(module_id)
        load_assessment()


def serve_forks(path: str) -> int:
    """Listen on ``path`` and fork a kernel for each request, until the parent goes away."""
    preload()
    preload_content()
    # What the imports made is kept out of the garbage collector's sweeps: a sweep in a
    # kernel would touch every object, and so copy the pages the kernels share.
    gc.freeze()
    if threading.active_count() != 1:
        # A thread started by an import would be missing in every child, half way through
        # whatever it was doing. Better no fork server than kernels that might hang.
        print(f"{TITLE}: an import started a thread; not forking.", file=sys.stderr)
        return 1
    parent = os.getppid()
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for `rapport serve` to handle
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGCHLD, lambda *_: _reap())
    _set_title(TITLE)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o077)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    listener.listen(64)
    with listener:
        while os.getppid() == parent:
            ready, _, _ = select.select([listener], [], [], 1.0)
            if ready:
                conn, _ = listener.accept()
                with conn:
                    _answer(conn, listener)
    return 0


def _answer(conn: socket.socket, listener: socket.socket) -> None:
    conn.settimeout(TIMEOUT)
    try:
        request = _read_request(conn)
    except (OSError, ValueError) as err:
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"error": str(err)}).encode() + b"\n")
        return
    # SIGCHLD waits until the child's pidfd is open: reaped before that, its id could be
    # another process's by the time it was opened.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    try:
        pid = os.fork()
        if pid == 0:
            listener.close()
            conn.close()
            _become_kernel(request)
        pidfd = os.pidfd_open(pid)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    try:
        socket.send_fds(conn, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
    except OSError:
        os.kill(pid, signal.SIGKILL)  # nobody is waiting for this kernel
    finally:
        os.close(pidfd)


def _read_request(conn: socket.socket) -> dict[str, Any]:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("the request ended early")
        data += chunk
        if len(data) > REQUEST_LIMIT:
            raise ValueError("the request is too long")
    request = json.loads(data)
    argv, env, cwd = request.get("argv"), request.get("env"), request.get("cwd")
    if not (
        isinstance(argv, list)
        and all(isinstance(a, str) for a in argv)
        and is_page_kernel(argv)
        and isinstance(env, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
        and isinstance(cwd, str)
    ):
        raise ValueError("a request needs the page kernel's argv, an env and a cwd")
    return request


def _become_kernel(request: dict[str, Any]) -> NoReturn:
    """In the child: take the kernel's session, folder, environment and title, and run it."""
    code = 1
    try:
        os.setsid()  # its own session and process group, as Jupyter starts kernels
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        argv = request["argv"]
        _set_title(" ".join(argv))  # `ps` shows the command, connection file included
        sys.argv = [KERNEL_MODULE, *argv[3:]]
        from rapport.kernel import main

        # ipykernel read JPY_PARENT_PID when the fork server imported it, before there was
        # one. Given here, the kernel watches its parent, the fork server (which ends with
        # `rapport serve`), and ends if it goes, as a kernel started from scratch does when
        # the server goes; and it prints no "ipython kernel" notice into the server's log.
        parent = f"--IPKernelApp.parent_handle={os.getppid()}"
        main([*argv[3:], *KERNEL_ARGS, parent])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _die_with_parent() -> None:
    """Ask Linux to end this process when `rapport serve` ends, however it ends."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def _set_title(title: str) -> None:
    with contextlib.suppress(ImportError):
        from setproctitle import setproctitle

        setproctitle(title)


# -- the server's side ---------------------------------------------------------------------
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
        path = os.environ.get(ENV_SOCKET)
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
@contextlib.contextmanager
def running(log=print) -> Iterator[str | None]:
    """Run a fork server for as long as the block lasts; yields its socket's path (set in
    ``RAPPORT_FORK_SOCKET`` for the block), or None if it did not start."""
    folder = Path(tempfile.mkdtemp(prefix="rapport-forks-"))
    path = str(folder / "kernels.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", __name__, path], stdin=subprocess.DEVNULL, close_fds=True
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m rapport.forkserver SOCKET_PATH", file=sys.stderr)
        return 2
    return serve_forks(args[0])


if __name__ == "__main__":
    sys.exit(main())
