"""Flood: kernels alive while N requests for a page arrive at once, and how soon the kernels of
pages nobody connects to are released.

A fresh ``rapport serve --max-kernels CAP`` (no spare join kernels) is started on a free
loopback port with a temporary store. N threads GET a module page at the same moment and read
it whole, as a script or a crawler would; none opens the page's websocket, so every kernel the
flood starts is abandoned. A thread counts the server's kernel processes (and their memory)
every 0.1 s from the flood's start until every kernel is gone.

    .venv/bin/python benchmarks/flood.py                      # 100 requests, --max-kernels 20
    .venv/bin/python benchmarks/flood.py --n 200 --max-kernels 40
    .venv/bin/python benchmarks/flood.py --cull-unconnected 20  # a shorter run
    .venv/bin/python benchmarks/flood.py --check              # exit 1 if a target is missed

Targets: never more kernels alive than the cap; every request past it answered 503, none
failing; every abandoned kernel released within the cull time (``--cull-unconnected``) and
15 s for the culler's round and the shutdown.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    WorkshopServer,
    finish,
    result_line,
    rounded,
    summary,
    table,
    terminate_cleanly,
    verdict,
)

PAGE = "/voila/render/notebooks/05-listen.ipynb"
RELEASE_SLACK = 15.0  # seconds beyond the cull time: the culler's round and a shutdown
MB = 1024 * 1024


def fetch(url: str, timeout: float) -> tuple[int, float]:
    """GET ``url`` and read it whole: (status, seconds); status 0 if it failed."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status, time.monotonic() - start
    except urllib.error.HTTPError as err:
        err.read()
        return err.code, time.monotonic() - start
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, time.monotonic() - start


class Census:
    """Kernel processes counted every ``every`` s in a thread: (seconds, count, RSS MB)."""

    def __init__(self, server: WorkshopServer, every: float = 0.1):
        self.server, self.every = server, every
        self.samples: list[tuple[float, int, float]] = []
        self.start = time.monotonic()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._done.is_set():
            kernels = self.server.kernels()
            rss = 0
            for kernel in kernels:
                with contextlib.suppress(psutil.Error):
                    rss += kernel.memory_info().rss
            self.samples.append((time.monotonic() - self.start, len(kernels), rss / MB))
            self._done.wait(self.every)

    def __enter__(self) -> Census:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def last_alive(self) -> float:
        """Seconds from the start to the last sample with a kernel alive."""
        return max((at for at, count, _ in self.samples if count), default=0.0)


def run(n: int, cap: int, unconnected: float, timeout: float) -> dict:
    with (
        tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp,
        terminate_cleanly(),
    ):
        flags = ("--max-kernels", str(cap), "--cull-unconnected", str(unconnected))
        server = WorkshopServer(Path(tmp), pool=0, args=flags)
        try:
            server.wait()
            with Census(server) as census, ThreadPoolExecutor(n) as pool:
                answers = list(pool.map(lambda _: fetch(server.base + PAGE, timeout), range(n)))
                answered = time.monotonic() - census.start
                deadline = time.monotonic() + unconnected + RELEASE_SLACK + 60
                while server.kernels() and time.monotonic() < deadline:
                    time.sleep(0.2)
                time.sleep(0.3)  # a last sample or two with none left
            tracebacks = server.log_path.read_text(errors="replace").count("Traceback")
        except BaseException:
            print(server.log_tail(60), file=sys.stderr)
            raise
        finally:
            server.stop()
    served = [s for status, s in answers if status == 200]
    refused = [s for status, s in answers if status == 503]
    released = census.last_alive()
    return {
        "n": n,
        "cap": cap,
        "cull_unconnected_s": unconnected,
        "served": len(served),
        "refused_503": len(refused),
        "failed": n - len(served) - len(refused),
        "kernels_peak": max(sample[1] for sample in census.samples),
        "kernels_rss_peak_mb": max(sample[2] for sample in census.samples),
        "page_s": summary(served),
        "refusal_ms": summary([s * 1000 for s in refused]),
        "flood_answered_s": answered,
        "all_released_s": released,
        "released_after_last_page_s": released - answered,
        "still_alive": census.samples[-1][1],
        "tracebacks": tracebacks,
    }


def report(figures: dict) -> tuple[str, dict[str, bool]]:
    rows = [
        ("requests at once", figures["n"]),
        ("cap (--max-kernels)", figures["cap"]),
        ("pages served (200)", figures["served"]),
        ("turned away (503)", figures["refused_503"]),
        ("failed otherwise", figures["failed"]),
        ("kernels alive at most", figures["kernels_peak"]),
        ("their RSS at most, MB", figures["kernels_rss_peak_mb"]),
        ("page served, p50 s", figures["page_s"]["p50"]),
        ("refusal, p95 ms", figures["refusal_ms"]["p95"]),
        ("last page answered, s after the flood began", figures["flood_answered_s"]),
        ("last kernel released, s after the flood began", figures["all_released_s"]),
        ("last kernel released, s after the last page", figures["released_after_last_page_s"]),
        ("tracebacks in the server log", figures["tracebacks"]),
    ]
    limit = figures["cull_unconnected_s"] + RELEASE_SLACK
    released = figures["still_alive"] == 0 and figures["released_after_last_page_s"] <= limit
    targets = {
        f"never more than {figures['cap']} kernels alive": (
            figures["kernels_peak"] <= figures["cap"]
        ),
        "every request served or turned away with 503": figures["failed"] == 0,
        f"abandoned kernels released within {limit:g} s of the last page": released,
        "no traceback in the server log": figures["tracebacks"] == 0,
    }
    return table(("flood", "value"), rows), targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="requests at once (default 100)")
    parser.add_argument(
        "--max-kernels", type=int, default=20, help="rapport serve --max-kernels (default 20)"
    )
    parser.add_argument(
        "--cull-unconnected",
        type=float,
        default=60,
        help="rapport serve --cull-unconnected, seconds (default 60, the server's own)",
    )
    parser.add_argument(
        "--timeout", type=float, default=180, help="seconds for a whole page (default 180)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    figures = run(args.n, args.max_kernels, args.cull_unconnected, args.timeout)
    text, targets = report(figures)
    print(text)
    print(verdict(targets))
    clean = {
        k: ({kk: rounded(vv) for kk, vv in v.items()} if isinstance(v, dict) else v)
        for k, v in figures.items()
    }
    clean = {k: rounded(v) if isinstance(v, float) else v for k, v in clean.items()}
    print(result_line("flood", **clean))
    return finish(targets, args.check)


if __name__ == "__main__":
    sys.exit(main())
