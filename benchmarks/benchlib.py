"""Shared helpers for the benchmarks: statistics, tables, servers started and stopped by id.

Nothing here writes outside a temporary folder. Every process a benchmark starts is stopped
by its own process (group) id, also when the benchmark fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from rapport.outputs.handouts import BROWSER_FLAGS

ROOT = Path(__file__).resolve().parents[1]
POOL_BANNER = re.compile(r"Join pages kept ready:\s+(\d+)")
LOAD_AT_START = os.getloadavg()  # the machine's load when the benchmark began (1, 5, 15 min)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(BROWSER_FLAGS)  # the flags Rapport runs Chromium with everywhere


def add_pool_option(parser) -> None:
    """``--pool``: passed on to ``rapport serve --pool`` (join kernels kept started)."""
    parser.add_argument(
        "--pool",
        type=int,
        default=None,
        help="rapport serve --pool: join kernels kept started (default: the server's own)",
    )


# -- statistics -------------------------------------------------------------------------------
def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``values``, interpolated linearly between ranks.

    The same definition as ``numpy.percentile``'s default; NaN for no values.
    """
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """p50, p95 and max of ``values`` (NaN when there are none)."""
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else math.nan,
    }


def rounded(value: float, digits: int = 1) -> float | None:
    """A figure for the JSON line: rounded, with None for NaN."""
    return None if value is None or math.isnan(value) else round(value, digits)


# -- output -----------------------------------------------------------------------------------
def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table, numbers right-aligned, that also reads well pasted into Markdown."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "-" if math.isnan(value) else f"{value:,.1f}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in rows)
        for i in range(len(headers))
    ]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if n else ("-" * (w + 2))
            for w, n in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def result_line(benchmark: str, **figures: object) -> str:
    """The final JSON line: ``{"benchmark": ..., "date": ..., ...figures, "machine": ...}``."""
    machine = {
        "cpus": os.cpu_count(),
        "load_at_start": [round(x, 2) for x in LOAD_AT_START],
    }
    return json.dumps(
        {"benchmark": benchmark, "date": date.today().isoformat(), **figures, "machine": machine},
        ensure_ascii=False,
    )


def verdict(targets: dict[str, bool]) -> str:
    return "\n".join(f"  {'PASS' if ok else 'MISS'}  {name}" for name, ok in targets.items())


def finish(targets: dict[str, bool], check: bool) -> int:
    """The exit status: 1 only when ``--check`` was given and a target was missed."""
    return 1 if check and not all(targets.values()) else 0


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM (and SIGHUP) into an exception, so ``finally`` blocks stop our servers."""

    def raise_exit(signum, _frame):
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, raise_exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


# -- ports and waiting ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 120) -> float:
    """Wait until the server gives any HTTP answer at ``url``; the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return time.monotonic() - start
        except urllib.error.HTTPError:
            return time.monotonic() - start  # a 404 is an answer too
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"the server did not answer at {url} within {seconds:.0f} s")


# -- the workshop server ----------------------------------------------------------------------
KERNEL_MODULES = ("rapport.serving.kernel", "ipykernel_launcher")


def kernel_processes(server_pid: int):
    """The server's kernel processes: children running ``rapport.serving.kernel`` (the kernel spec
    ``rapport serve`` uses) or ``ipykernel_launcher`` (the standard one)."""
    import psutil

    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            if any(part in KERNEL_MODULES for part in child.cmdline()):
                found.append(child)
    return found


class WorkshopServer:
    """``python -m rapport.cli [--root R] serve`` on a free loopback port, in its own session.

    Its store and journal are temporary SQLite files. Stopped by its process group id; the
    kernels (Jupyter starts each in its own session) are stopped afterwards by their ids if
    the server did not shut them down itself.
    """

    def __init__(
        self,
        folder: Path,
        root: Path | None = None,
        identity: str | None = None,
        env: dict[str, str] | None = None,
        pool: int | None = None,
        fork: bool = True,
        args: tuple[str, ...] = (),
    ):
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "rapport.cli"]
        if root is not None:
            command += ["--root", str(root)]
        # The benchmarks' clients load pages over plain HTTP and never open a kernel's
        # websocket: keep their kernels for the hour a run takes, so they can be measured.
        command += ["serve", "--port", str(self.port), "--cull-unconnected", "3600"]
        if identity:
            command += ["--identity", identity]
        if pool is not None:  # rapport serve --pool: join-page kernels kept started
            command += ["--pool", str(pool)]
        if not fork:  # rapport serve --no-fork: every kernel starts from scratch
            command += ["--no-fork"]
        command += list(args)  # more flags for serve; a repeated one overrides those above
        self.env = {
            **os.environ,
            "RAPPORT_DB_URL": f"sqlite:///{folder / 'rooms.sqlite3'}",
            "RAPPORT_JOURNAL_URL": f"sqlite:///{folder / 'journal.sqlite3'}",
            **(env or {}),
        }
        self.env.pop("RAPPORT_FACILITATOR_KEY", None)
        self.log_path = folder / "server.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_in = math.nan

    def wait(self, seconds: float = 120) -> WorkshopServer:
        # A path nothing renders: the answer (404) proves the server is up without starting
        # a kernel, so no kernel is left over to count later.
        self.started_in = wait_until_answering(f"{self.base}/voila/no-such-page", self.process)
        return self

    def kernels(self):
        return kernel_processes(self.process.pid)

    def pool_size(self) -> int:
        """How many join-page kernels the server keeps started (0 if it keeps none)."""
        with contextlib.suppress(OSError):
            if found := POOL_BANNER.search(self.log_path.read_text(errors="replace")):
                return int(found.group(1))
        return 0

    def busy(self, interval: float = 0.3) -> float:
        """CPU the server and its kernels used over ``interval`` s, in % of one core."""
        import psutil

        processes = [psutil.Process(self.process.pid), *self.kernels()]
        for p in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.cpu_percent(None)
        time.sleep(interval)
        total = 0.0
        for p in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.cpu_percent(None)
        return total

    def settle(
        self, kernels: int | None = None, seconds: float = 90, quiet_below: float = 15.0
    ) -> bool:
        """Wait until the server has ``kernels`` kernels (if given) and it and they are idle.

        Idle: under ``quiet_below`` % of one core together, twice in a row. True if settled.
        """
        deadline = time.monotonic() + seconds
        calm = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode}")
            if kernels is not None and len(self.kernels()) != kernels:
                calm = 0
                time.sleep(0.2)
                continue
            calm = calm + 1 if self.busy() < quiet_below else 0
            if calm >= 2:
                return True
        return False

    def stop(self, seconds: float = 20) -> None:
        import psutil

        kernels = self.kernels()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for kernel in kernels:  # normally shut down by the server already
            with contextlib.suppress(psutil.NoSuchProcess):
                kernel.terminate()
        _, alive = psutil.wait_procs(kernels, timeout=5)
        for kernel in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                kernel.kill()
        self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_problems(self, limit: int = 5) -> list[str]:
        """Distinct error lines from the server's log (Voila and kernels write there)."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        marks = ("ERROR", "Error", "Traceback", "Timeout", "timed out", "died", "restarting")
        found = []
        for line in lines:
            text = line.strip()[:200]
            if any(m in text for m in marks) and text not in found:
                found.append(text)
        return found[:limit]

    def __enter__(self) -> WorkshopServer:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:  # what the server said last is usually why
            print(self.log_tail(), file=sys.stderr)
        self.stop()


# -- a throwaway PostgreSQL -------------------------------------------------------------------
def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@contextlib.contextmanager
def postgres_server(max_connections: int = 200) -> Iterator[str]:
    """A PostgreSQL on a free loopback port (fsync off), stopped by its process id afterwards.

    Yields a SQLAlchemy URL for its ``postgres`` database.
    """
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian's postgresql package).")
    data = Path(tempfile.mkdtemp(prefix="rapport-bench-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run = {"check": True, "capture_output": True, "text": True}
    pid = None
    try:
        subprocess.run(
            [*as_user, bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust"], **run
        )
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -k {data} -c fsync=off "
            f"-c max_connections={max_connections}"
        )
        pg_ctl = [*as_user, bindir / "pg_ctl", "-D", data, "-o", options]
        subprocess.run([*pg_ctl, "-l", data / "log", "-w", "start"], **run)
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if pid is not None:
            _stop_postmaster(pid)
        shutil.rmtree(data, ignore_errors=True)


def _stop_postmaster(pid: int) -> None:
    # SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT its "immediate" one.
    for signum, seconds in ((signal.SIGINT, 15), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


# -- nginx in front of several servers --------------------------------------------------------
def nginx_proxy(folder: Path, ports: Sequence[int]):
    """deploy/nginx's site run by Debian's nginx from ``folder`` on a free loopback port, in
    front of the servers on ``ports`` (a context manager yielding its base URL; stopped by its
    process group id). Two workers, as Debian's ``worker_processes auto`` gives on 2 cores."""
    sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
    import rapport_nginx

    return rapport_nginx.running(folder, ports, workers="auto")


def postgres_memory_mb(url: str) -> float:
    """PSS of the PostgreSQL server at ``url`` (its postmaster and every backend), in MB."""
    import psutil

    port = int(url.rsplit(":", 1)[1].split("/")[0])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            main = psutil.Process(conn.pid)
            total = 0.0
            for process in [main, *main.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += process.memory_full_info().pss
            return total / 2**20
    return math.nan


# -- Chromium ---------------------------------------------------------------------------------
# Installed in every page before its own scripts run: records, in ms since navigation start
# (performance.timeOrigin), the first moment the test (``__TEST__``) finds what it looks for.
FIRST_VISIBLE_SCRIPT = """
(() => {
  const visible = (el) => el.checkVisibility
    ? el.checkVisibility({checkVisibilityCSS: true}) && el.getClientRects().length > 0
    : el.offsetParent !== null;
  const test = (__TEST__);
  const check = () => {
    if (window.__rpFirstAt !== undefined) return true;
    const found = test(visible);
    if (!found) return false;
    window.__rpFirstAt = performance.now();
    window.__rpFirstWhat = found.tagName.toLowerCase() + "." +
      Array.from(found.classList).join(".");
    return true;
    return false;
  };
  window.__rpCheck = check;
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, {subtree: true, childList: true, attributes: true,
                              characterData: true});
})();
"""


def selector_test(selector: str) -> str:
    """A JavaScript test: the first visible element matching the CSS ``selector``."""
    return (
        "(visible) => Array.from(document.querySelectorAll("
        + json.dumps(selector)
        + ")).find(visible)"
    )


def button_test(name: str) -> str:
    """A JavaScript test: a visible button whose text is exactly ``name``."""
    return (
        "(visible) => Array.from(document.querySelectorAll('button')).find("
        f"(b) => b.textContent.trim() === {json.dumps(name)} && visible(b))"
    )


def first_visible_script(test: str) -> str:
    return FIRST_VISIBLE_SCRIPT.replace("__TEST__", test)


# Resolves once the script above has seen what it waits for. Wait with ``polling=100``: the
# default polls on animation frames, which a page not in front may never get.
SEEN = "() => window.__rpFirstAt !== undefined || (window.__rpCheck && window.__rpCheck())"


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package.")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
