"""Room join: N participants asking for the participant app at the same moment.

For each N (default 30, then 60) a fresh ``rapport serve`` is started on a free loopback port
with a temporary store, and N threads GET ``/join`` at once (following the redirect to
``/voila/render/notebooks/join.ipynb``) and read the whole streamed page: Voila streams it
while the kernel runs the notebook, so the page is complete when the body ends. Then the
kernels' memory is read: each kernel has run the notebook and sits idle, as a participant's
does until they click.

    .venv/bin/python benchmarks/room_join.py                 # N = 30, then 60
    .venv/bin/python benchmarks/room_join.py --n 30          # one round
    .venv/bin/python benchmarks/room_join.py --browsers 10   # also 10 real Chromium pages
    .venv/bin/python benchmarks/room_join.py --check         # exit 1 if a target is missed
    .venv/bin/python benchmarks/room_join.py --proxy --servers 2 --n 100 200

``--proxy`` runs each round as deploy/README.md sets up a room served by several servers:
one throwaway PostgreSQL, ``--servers`` servers sharing it (each keeping 1.2 x N / servers join
pages ready unless ``--pool`` says otherwise) and deploy/nginx's site in front of them, run by
Debian's nginx on a free loopback port; the joins go to the proxy.

Targets: p95 under 1 s for 30 simultaneous joins; 60 joins with nothing failing; under 70 MB
RSS per idle participant kernel.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.cookiejar
import math
import re
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    SEEN,
    WorkshopServer,
    add_pool_option,
    button_test,
    finish,
    first_visible_script,
    launch_chromium,
    nginx_proxy,
    postgres_memory_mb,
    postgres_server,
    result_line,
    rounded,
    summary,
    table,
    terminate_cleanly,
    verdict,
)

P95_TARGET_MS = 1000.0
P95_TARGET_UP_TO = 30  # the p95 target is for rounds of up to 30 participants
RSS_TARGET_MB = 70.0
SPREAD = 1.2  # --proxy: each server keeps this times its even share of the joins ready
WIDGET_VIEW = b"application/vnd.jupyter.widget-view+json"
KERNEL_ID = re.compile(rb'"kernelId": "([0-9a-f-]+)"')
KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]+)\.json")
MB = 1024 * 1024


@dataclass
class Fetch:
    start: float
    kernel: str | None = None  # the page's kernel id
    headers: float = float("nan")  # seconds from start to the response headers
    total: float = float("nan")  # ... to the end of the body
    status: int | None = None
    size: int = 0
    error: str | None = None
    upstream: str | None = None  # the server that answered, through the proxy (--proxy)

    @property
    def ok(self) -> bool:
        return self.error is None


def fetch(url: str, timeout: float, opener=None) -> Fetch:
    """GET ``url`` as a new browser would (no cookies), reading the body to its end.

    A page not complete within ``timeout`` seconds counts as failed.
    """
    opener = opener or urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    got = Fetch(time.perf_counter())
    try:
        with opener.open(url, timeout=timeout) as response:
            got.headers = time.perf_counter() - got.start
            got.status = response.status
            got.upstream = response.headers.get("X-Rapport-Upstream")
            chunks = []
            while chunk := response.read1(65536):
                chunks.append(chunk)
                # Voila sends a heartbeat every 10 s while a page is not done, also for ever
                # when the page's kernel failed to start: so the deadline is for the whole page.
                if time.perf_counter() - got.start > timeout:
                    raise TimeoutError(f"the page was not complete after {timeout:.0f} s")
        got.total = time.perf_counter() - got.start
        body = b"".join(chunks)
        got.size = len(body)
        if found := KERNEL_ID.search(body):
            got.kernel = found.group(1).decode()
        if got.status != 200:
            got.error = f"HTTP {got.status}"
        elif WIDGET_VIEW not in body or b"</html>" not in body[-200:]:
            got.error = "the page came without the participant app: " + page_text(body)[-160:]
    except Exception as err:
        got.total = time.perf_counter() - got.start
        got.error = f"{type(err).__name__}: {err}"
    return got


def page_text(body: bytes) -> str:
    """What a page's cells showed, as text (scripts, styles and tags left out)."""
    html = body.decode("utf-8", "replace")
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def fire(url: str, n: int, timeout: float) -> list[Fetch]:
    """``n`` threads GET ``url`` at the same moment (released together by a barrier)."""
    ready = threading.Barrier(n)
    results: list[Fetch | None] = [None] * n

    def one(i: int) -> None:
        ready.wait()
        results[i] = fetch(url, timeout)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in results if r is not None]


def solo(base: str, timeout: float) -> Fetch:
    """One join on its own; its kernel is then shut down as a closed tab's would be."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    got = fetch(base + "/join", timeout, opener)
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), None)
    if got.kernel and xsrf:
        request = urllib.request.Request(
            f"{base}/voila/api/shutdown/{got.kernel}",
            method="POST",
            headers={"X-XSRFToken": xsrf},
        )
        with contextlib.suppress(Exception), opener.open(request, timeout=30):
            pass
    return got


def kernel_memory(server: WorkshopServer, participants: set[str]) -> dict:
    """RSS of the participants' kernels (by kernel id) and of the server, in MB.

    USS too (what a kernel holds alone, shared libraries left out). Other kernels are spare
    ones the server keeps started for people still to come; they count in the total only.
    The fork server the kernels are forked from counts in the total too. RSS counts memory
    the kernels share with it once per kernel; the PSS total shares it out, so it is what
    the whole server really takes.
    """
    import psutil

    rss, uss, spare, pss = [], [], [], []
    from rapport.serving.forkserver import TITLE

    forks = [
        child
        for child in psutil.Process(server.process.pid).children()
        if TITLE in " ".join(child.cmdline())
    ]
    for kernel in server.kernels():
        with contextlib.suppress(psutil.NoSuchProcess):
            full = kernel.memory_full_info()
            pss.append(full.pss / MB)
            ids = {m.group(1) for part in kernel.cmdline() if (m := KERNEL_FILE.search(part))}
            if ids & participants:
                rss.append(full.rss / MB)
                uss.append(full.uss / MB)
            else:
                spare.append(full.rss / MB)
    own = psutil.Process(server.process.pid).memory_full_info()
    server_rss = own.rss / MB
    fork_memory = [p.memory_full_info() for p in forks]
    fork_rss = sum(m.rss for m in fork_memory) / MB
    fork_pss = sum(m.pss for m in fork_memory) / MB
    return {
        "kernels": len(rss),
        "spare_kernels": len(spare),
        "kernel_rss_mean_mb": sum(rss) / len(rss) if rss else float("nan"),
        "kernel_rss_max_mb": max(rss) if rss else float("nan"),
        "kernel_uss_mean_mb": sum(uss) / len(uss) if uss else float("nan"),
        "server_rss_mb": server_rss,
        "fork_server_rss_mb": fork_rss,
        "total_rss_mb": server_rss + fork_rss + sum(rss) + sum(spare),
        "total_pss_mb": own.pss / MB + fork_pss + sum(pss),
    }


def ready(server: WorkshopServer) -> int:
    """Wait until the server's spare join kernels are started and idle; how many there are."""
    spare = server.pool_size()
    if not server.settle(kernels=spare, seconds=max(240, 4 * spare)):
        print(f"note: the server did not settle with {spare} spare kernels", file=sys.stderr)
    return spare


def http_round(
    n: int, timeout: float, settle: float, identity: str, warm: bool, pool: int | None
) -> dict:
    with (
        tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp,
        WorkshopServer(Path(tmp), identity=identity, pool=pool) as server,
    ):
        server.wait()
        spare = ready(server)
        alone = None
        if warm:  # the server's first page loads its templates: not part of a join
            solo(server.base, timeout)
            alone = solo(server.base, timeout)
            ready(server)
        fetches = fire(server.base + "/join", n, timeout)
        time.sleep(settle)
        # let the kernels finish what the pages started, and the pool refill
        server.settle(seconds=240)
        memory = kernel_memory(server, {f.kernel for f in fetches if f.kernel})
        problems = server.log_problems()
    failed = [f for f in fetches if not f.ok]
    return {
        "n": n,
        "pool": spare,
        "server_start_ms": server.started_in * 1000,
        "alone_ms": alone.total * 1000 if alone and alone.ok else float("nan"),
        "full_page_ms": summary([f.total * 1000 for f in fetches if f.ok]),
        "headers_ms": summary([f.headers * 1000 for f in fetches if f.ok]),
        "failures": len(failed),
        "errors": sorted({f.error for f in failed if f.error})[:5],
        "server_log": problems if failed else [],
        **memory,
    }


def proxy_round(
    n: int,
    servers: int,
    timeout: float,
    settle: float,
    identity: str,
    warm: bool,
    pool: int | None,
) -> dict:
    """One round through nginx in front of ``servers`` servers sharing one PostgreSQL."""
    # nginx spreads browsers at random, not evenly: a fifth more than an even share
    # (two standard deviations at 100 joins on 2 servers) keeps nearly every join on a spare.
    per_server = pool if pool is not None else math.ceil(n / servers * SPREAD)
    # Every kernel (participants', spares', refills) holds a connection to the database.
    connections = 2 * servers * per_server + 2 * n + 50
    with (
        tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp,
        postgres_server(max_connections=connections) as db_url,
        contextlib.ExitStack() as stack,
    ):
        env = {"RAPPORT_DB_URL": db_url, "RAPPORT_JOURNAL_URL": db_url}
        group = []
        for i in range(servers):  # started together, as a service manager would
            folder = Path(tmp) / f"server-{i + 1}"
            folder.mkdir()
            group.append(
                stack.enter_context(
                    WorkshopServer(folder, identity=identity, env=env, pool=per_server)
                )
            )
        for server in group:
            server.wait()
        spare = sum(ready(server) for server in group)
        proxy = stack.enter_context(nginx_proxy(Path(tmp) / "nginx", [s.port for s in group]))
        alone = None
        if warm:  # each server's first page loads its templates: not part of a join
            for server in group:
                solo(server.base, timeout)
            alone = solo(proxy, timeout)
            for server in group:
                ready(server)
        fetches = fire(proxy + "/join", n, timeout)
        time.sleep(settle)
        for server in group:
            server.settle(seconds=240)
        joined = {f.kernel for f in fetches if f.kernel}
        memory = combined([kernel_memory(server, joined) for server in group])
        database_mb = postgres_memory_mb(db_url)
        problems = [line for server in group for line in server.log_problems()]
        ports = {f"127.0.0.1:{s.port}": i + 1 for i, s in enumerate(group)}
    failed = [f for f in fetches if not f.ok]
    by_server = collections.Counter(ports.get(f.upstream or "", 0) for f in fetches)
    return {
        "n": n,
        "servers": servers,
        "pool": spare,
        "joins_per_server": [by_server[i] for i in range(1, servers + 1)],
        "server_start_ms": max(s.started_in for s in group) * 1000,
        "alone_ms": alone.total * 1000 if alone and alone.ok else float("nan"),
        "full_page_ms": summary([f.total * 1000 for f in fetches if f.ok]),
        "headers_ms": summary([f.headers * 1000 for f in fetches if f.ok]),
        "failures": len(failed),
        "errors": sorted({f.error for f in failed if f.error})[:5],
        "server_log": problems if failed else [],
        "postgres_pss_mb": database_mb,
        **memory,
    }


def combined(memories: list[dict]) -> dict:
    """The memory figures of several servers as one: sums, and means weighted by kernels."""
    kernels = sum(m["kernels"] for m in memories)

    def mean(key: str) -> float:
        weighted = [m[key] * m["kernels"] for m in memories if m["kernels"]]
        return sum(weighted) / kernels if kernels else float("nan")

    summed = ("spare_kernels", "server_rss_mb", "fork_server_rss_mb", "total_rss_mb")
    return {
        "kernels": kernels,
        **{key: sum(m[key] for m in memories) for key in summed},
        "kernel_rss_mean_mb": mean("kernel_rss_mean_mb"),
        "kernel_rss_max_mb": max(m["kernel_rss_max_mb"] for m in memories),
        "kernel_uss_mean_mb": mean("kernel_uss_mean_mb"),
        "total_pss_mb": sum(m["total_pss_mb"] for m in memories),
    }


def browser_round(k: int, timeout: float, identity: str, pool: int | None) -> dict:
    """``k`` Chromium pages (each its own context, so its own participant) opening ``/join``.

    Times are ms from each page's navigation start until a visible Join button, as the page
    itself recorded them.
    """
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp,
        WorkshopServer(Path(tmp), identity=identity, pool=pool) as server,
    ):
        server.wait()
        spare = ready(server)
        solo(server.base, timeout)  # the server's first page: templates
        ready(server)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                return {"pool": spare, **_browse(browser, server.base + "/join", k, timeout)}
            finally:
                browser.close()


def _browse(browser, url: str, k: int, timeout: float) -> dict:
    contexts = [browser.new_context() for _ in range(k)]
    pages = []
    for context in contexts:
        context.add_init_script(first_visible_script(button_test("Join")))
        pages.append(context.new_page())
    for page in pages:  # each goto returns once the page starts coming, so they overlap
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout  # one deadline for all: they load side by side
    for page in pages:
        with contextlib.suppress(Exception):  # a page still without its button is told below
            left = max(1.0, deadline - time.monotonic())
            page.wait_for_function(SEEN, polling=100, timeout=left * 1000)
    times, errors = [], []
    for page in pages:  # the mark the page set itself, whatever the waiting above saw
        try:
            at, state = page.evaluate("[window.__rpFirstAt, document.visibilityState]")
        except Exception as err:
            errors.append(f"{type(err).__name__}: {str(err).splitlines()[0]}")
            continue
        if at is None:
            errors.append(f"no Join button within {timeout:.0f} s (page {state})")
        else:
            times.append(float(at))
    for page in pages:
        with contextlib.suppress(Exception):
            page.close(run_before_unload=True)  # gives the kernel back
    for context in contexts:
        context.close()
    return {"k": k, "join_button_ms": summary(times), "failures": len(errors), "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n",
        type=int,
        nargs="+",
        default=[30, 60],
        help="participants per round (default 30 60; 0 for none, e.g. with --browsers)",
    )
    parser.add_argument("--browsers", type=int, default=0, help="also time K Chromium pages")
    parser.add_argument(
        "--timeout", type=float, default=180, help="seconds for a whole page (default 180)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=3,
        help="seconds to wait after the joins before reading memory (then until all is idle)",
    )
    parser.add_argument(
        "--identity",
        choices=("browser", "account", "auto"),
        default="browser",
        help="rapport serve --identity (default browser: as when serving a room)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no warm-up: the joins are the server's first pages (default: one join is "
        "rendered first, then one timed alone; both kernels are shut down before the round)",
    )
    add_pool_option(parser)
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="join through deploy/nginx's site in front of --servers servers sharing a "
        "throwaway PostgreSQL (Debian's nginx and postgresql packages)",
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="with --proxy: rapport serve processes behind nginx (default 1); each keeps "
        "1.2 x N / servers join pages ready unless --pool is given",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.servers < 1 or (args.servers > 1 and not args.proxy):
        parser.error("--servers N needs N of at least 1, and --proxy for more than one server")

    rounds, browsers = [], None
    with terminate_cleanly():
        for n in (n for n in args.n if n > 0):
            print(f"round: {n} simultaneous joins ...", file=sys.stderr, flush=True)
            if args.proxy:
                rounds.append(
                    proxy_round(
                        n,
                        args.servers,
                        args.timeout,
                        args.settle,
                        args.identity,
                        not args.cold,
                        args.pool,
                    )
                )
                continue
            rounds.append(
                http_round(n, args.timeout, args.settle, args.identity, not args.cold, args.pool)
            )
        if args.browsers:
            print(f"browsers: {args.browsers} Chromium pages ...", file=sys.stderr, flush=True)
            browsers = browser_round(args.browsers, args.timeout, args.identity, args.pool)

    rows = [
        (
            r["n"],
            r.get("servers", 1),
            r["pool"],
            r["alone_ms"],
            r["full_page_ms"]["p50"],
            r["full_page_ms"]["p95"],
            r["full_page_ms"]["max"],
            r["headers_ms"]["p50"],
            r["failures"],
            f"{r['kernels']} + {r['spare_kernels']}",
            r["kernel_rss_mean_mb"],
            r["kernel_rss_max_mb"],
            r["kernel_uss_mean_mb"],
            r["total_rss_mb"],
            r["total_pss_mb"],
        )
        for r in rounds
    ]
    if rows:
        print(
            table(
                (
                    "joins",
                    "servers",
                    "pool",
                    "1 alone ms",
                    "page p50 ms",
                    "p95 ms",
                    "max ms",
                    "headers p50 ms",
                    "failed",
                    "kernels + spare",
                    "kernel RSS mean MB",
                    "max MB",
                    "USS mean MB",
                    "server+kernels RSS MB",
                    "PSS MB",
                ),
                rows,
            )
        )
    for r in rounds:
        if "joins_per_server" in r:
            print(
                f"  {r['n']} joins through nginx: {r['joins_per_server']} per server, "
                f"PostgreSQL {r['postgres_pss_mb']:,.0f} MB PSS"
            )
        for error in r["errors"]:
            print(f"  {r['n']} joins: {error}")
        for line in r["server_log"]:
            print(f"  {r['n']} joins, server log: {line}")
    if browsers:
        b = browsers["join_button_ms"]
        print()
        print(
            table(
                ("Chromium pages", "pool", "Join visible p50 ms", "p95 ms", "max ms", "failed"),
                [
                    (
                        browsers["k"],
                        browsers["pool"],
                        b["p50"],
                        b["p95"],
                        b["max"],
                        browsers["failures"],
                    )
                ],
            )
        )
        for error in browsers["errors"][:5]:
            print(f"  browser: {error}")

    targets: dict[str, bool] = {}
    for r in rounds:
        p95 = r["full_page_ms"]["p95"]
        if r["n"] <= P95_TARGET_UP_TO:
            targets[f"{r['n']} joins: p95 under {P95_TARGET_MS:,.0f} ms ({p95:,.0f} ms)"] = (
                p95 < P95_TARGET_MS and r["failures"] == 0
            )
        targets[f"{r['n']} joins: nothing failed ({r['failures']} failed)"] = r["failures"] == 0
        worst = r["kernel_rss_max_mb"]
        targets[
            f"{r['n']} joins: every idle kernel under {RSS_TARGET_MB:.0f} MB RSS "
            f"(max {worst:.1f} MB)"
        ] = worst < RSS_TARGET_MB
    print("\ntargets:\n" + verdict(targets))

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return rounded(value) if isinstance(value, float) else value

    figures = {
        "rounds": [clean(r) for r in rounds],
        "targets_met": all(targets.values()) if targets else None,  # None: nothing to judge
    }
    if browsers:
        figures["browsers"] = clean(browsers)
    if args.proxy:
        figures["proxy"] = "nginx"
    print(result_line("room_join", identity=args.identity, **figures))
    return finish(targets, args.check)


if __name__ == "__main__":
    sys.exit(main())
