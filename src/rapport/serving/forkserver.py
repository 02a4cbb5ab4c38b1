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

The workshop server's side (asking for a kernel, and handling it as its own) is in
:mod:`rapport.serving.forking`. The fork server reaps its children, so the kernel's exit
status is not known to the server (it reads 0).

The fork server needs Linux: it hands each kernel to the server as a pidfd (``os.pidfd_open``,
Linux 5.3) and asks to end with its parent (``prctl``). Elsewhere it is not started
(:func:`rapport.serving.forking.available`), and every kernel starts from scratch.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any, NoReturn

from rapport import settings
from rapport.serving.forking import KERNEL_MODULE, TIMEOUT, is_page_kernel

TITLE = "rapport fork server"  # its command line, as ps shows it
# What pages import: the kernel itself, then the modules behind the course's notebooks
# (lesson: every module; live: join and dashboard; study: progress and journal).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipywidgets",
    "rapport.pages.lesson",
    "rapport.pages.live",
    "rapport.pages.waiting",
    "rapport.widgets.activity",
    "rapport.widgets.assessment",
    "rapport.widgets.challenge",
    "rapport.widgets.dashboard",
    "rapport.widgets.journal_view",
    "rapport.widgets.key_gate",
    "rapport.widgets.progress",
    "rapport.widgets.reflection",
    "rapport.widgets.room",
    "rapport.widgets.scenario_player",
)
# ipywidgets registers its comm targets when it is imported into a running kernel. Imported
# before there was one, it does so as an IPython extension: without its control target, a
# page's browser would fetch every widget's state in a message of its own (0.7 s more on a
# module page, with about 290 widget models).
KERNEL_ARGS = ("--IPKernelApp.extensions=ipywidgets",)
REQUEST_LIMIT = 1 << 20  # bytes: a command line and an environment
REQUEST_TIMEOUT = 2.0  # seconds a client has to send its whole request (a few ms, usually)


# -- the fork server -----------------------------------------------------------------------
def preload() -> None:
    """Import what page kernels use, as the page kernel would (no debugger, no plugins)."""
    from rapport.serving.kernel import prepare

    prepare()
    for name in (*PRELOAD, *store_driver()):
        importlib.import_module(name)


def store_driver() -> tuple[str, ...]:
    """The database driver every page will load, when rooms are kept in PostgreSQL: imported
    once here, it is shared by every kernel instead of loaded by each (about 10 MB apiece)."""
    url = settings.db_url() or ""
    if not url.startswith("postgresql"):
        return ()
    return ("psycopg", "sqlalchemy.dialects.postgresql.psycopg")


def preload_content() -> None:
    """Read the course's content once. It is cached by file and modification time, so a
    kernel still reads again any file changed since; broken content is left for a page to
    report."""
    from rapport.content.loading import ContentError, load_assessment, load_manifest, load_module

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
        Requests(listener).serve(lambda: os.getppid() == parent)
    return 0


class Requests:
    """The fork server's connections, served one thread, many at a time.

    It must stay single-threaded to fork safely, so it never waits on one client: each
    connection is read as its bytes arrive, and one that has not sent a whole request within
    ``REQUEST_TIMEOUT`` is told so and closed, while the others go on being served.
    """

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.listener.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ)
        self.pending: dict[socket.socket, tuple[float, bytearray]] = {}

    def serve(self, go_on) -> None:
        with self.selector:
            while go_on():
                for key, _events in self.selector.select(timeout=0.5):
                    if key.fileobj is self.listener:
                        self._accept()
                    else:
                        self._read(key.fileobj)
                self._expire()
            for conn in list(self.pending):
                self._close(conn)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            conn.setblocking(False)
            self.pending[conn] = (time.monotonic() + REQUEST_TIMEOUT, bytearray())
            self.selector.register(conn, selectors.EVENT_READ)

    def _read(self, conn: socket.socket) -> None:
        _deadline, data = self.pending[conn]
        try:
            chunk = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        data += chunk
        if chunk and not data.endswith(b"\n") and len(data) <= REQUEST_LIMIT:
            return  # more to come
        self.selector.unregister(conn)
        del self.pending[conn]
        with conn:
            conn.setblocking(True)
            conn.settimeout(TIMEOUT)
            try:
                request = parse_request(bytes(data), complete=bool(chunk))
            except ValueError as err:
                _refuse(conn, str(err))
                return
            self._fork(conn, request)

    def _expire(self) -> None:
        now = time.monotonic()
        for conn, (deadline, _data) in list(self.pending.items()):
            if now > deadline:
                conn.setblocking(True)
                conn.settimeout(TIMEOUT)
                _refuse(conn, f"no whole request within {REQUEST_TIMEOUT:g} s")
                self._close(conn)

    def _close(self, conn: socket.socket) -> None:
        self.selector.unregister(conn)
        del self.pending[conn]
        conn.close()

    def _fork(self, conn: socket.socket, request: dict[str, Any]) -> None:
        # SIGCHLD waits until the child's pidfd is open: reaped before that, its id could be
        # another process's by the time it was opened.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            pid = os.fork()
            if pid == 0:
                for other in (self.listener, conn, *self.pending):
                    other.close()
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


def _refuse(conn: socket.socket, reason: str) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps({"error": reason}).encode() + b"\n")


def parse_request(data: bytes, complete: bool = True) -> dict[str, Any]:
    """The request a client sent (a JSON line), or ValueError saying what is wrong with it."""
    if len(data) > REQUEST_LIMIT:
        raise ValueError("the request is too long")
    if not complete or not data.endswith(b"\n"):
        raise ValueError("the request ended early")
    request = json.loads(data)
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object")
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
        from rapport.serving.kernel import main

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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m rapport.serving.forkserver SOCKET_PATH", file=sys.stderr)
        return 2
    return serve_forks(args[0])


if __name__ == "__main__":
    sys.exit(main())
