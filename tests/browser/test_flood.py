"""Kernels cannot pile up: a flood of requests never takes more kernels than the cap and the
rest are turned away with a short page; kernels whose page never connects are closed within
the limit; the facilitator's dashboard still opens; one browser past its own limit gets 429;
and a participant whose kernel was closed while their phone slept reloads to find their answer.

One ``rapport serve`` for the file, with a small cap and short cull times. Live kernels are
counted as processes: the server's descendants running the page kernel. Voila routes no list
of kernels (only ``/api/kernels/<id>``, for one id), and adding one would hand every kernel's
id, and so its shutdown, to whoever asks; counting processes also finds kernels the server
had lost track of, which is what piling up would be.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from rapport.serving.forking import KERNEL_MODULE

from ..browsing import FACILITATOR_KEY, free_port, scale_answered, stop
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

CAP = 5  # --max-kernels: the spare included
PER_BROWSER = 2  # --max-per-browser
UNCONNECTED = 12  # --cull-unconnected, seconds
IDLE_MINUTES = 0.25  # --cull-idle
SLACK = 20  # seconds beyond a limit for the culler's round and a shutdown on a busy machine
PAGE = "/voila/render/notebooks/index.ipynb"
READERS, ABORTED = 12, 4  # the flood: whole pages read, and connections dropped at once
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def flood_server(tmp_path_factory):
    """``rapport serve`` with a small cap, short cull times and one spare join kernel."""
    folder = tmp_path_factory.mktemp("flood")
    port = free_port()
    env = {
        **os.environ,
        "RAPPORT_DB_URL": f"sqlite:///{folder / 'rooms.sqlite3'}",
        "RAPPORT_JOURNAL_URL": f"sqlite:///{folder / 'journal.sqlite3'}",
        "RAPPORT_FACILITATOR_KEY": FACILITATOR_KEY,
    }
    flags = ["--max-kernels", str(CAP), "--max-per-browser", str(PER_BROWSER)]
    flags += ["--cull-unconnected", str(UNCONNECTED), "--cull-idle", str(IDLE_MINUTES)]
    log = folder / "voila.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rapport.cli",
                "serve",
                "--port",
                str(port),
                "--pool",
                "1",
                *flags,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            server.wait_until_up()
            yield server
        finally:
            stop(process)


class Server:
    def __init__(self, base: str, process: subprocess.Popen, log: Path):
        self.base, self.process, self.log = base, process, log

    def wait_until_up(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited:\n{self.log.read_text()}"
            if get(self.base + "/voila/no-such-page")[0]:  # any answer will do: no kernel
                return
            time.sleep(0.3)
        raise TimeoutError("the workshop server did not answer")

    def kernels(self) -> set[int]:
        """Process ids of the page kernels alive now."""
        found = set()
        for child in psutil.Process(self.process.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if child.status() != psutil.STATUS_ZOMBIE and KERNEL_MODULE in child.cmdline():
                    found.add(child.pid)
        return found

    def settle(self, count: int, seconds: float) -> float:
        """Wait until ``count`` kernels are alive; the seconds it took."""
        start = time.monotonic()
        while len(self.kernels()) != count:
            waited = time.monotonic() - start
            assert waited < seconds, f"{len(self.kernels())} kernels alive, not {count}"
            time.sleep(0.2)
        return time.monotonic() - start

    def no_tracebacks(self) -> None:
        assert "Traceback" not in self.log.read_text(errors="replace")


def get(url: str, token: str | None = None) -> tuple[int, dict, str]:
    """GET ``url`` (with the browser token ``token``, if given): status, headers and body;
    status 0 if nothing answered."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Cookie", f"rapport_id={token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}, ""


def abandon(base: str) -> None:
    """Ask for a page and hang up at once: its kernel starts with nobody to connect to it."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())


def token(name: str) -> str:
    return f"flood-browser-{name}".ljust(32, "0")


@contextlib.contextmanager
def sampling(server: Server, every: float = 0.1):
    """The number of kernels alive, sampled in a thread while the block runs."""
    counts: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            counts.append(len(server.kernels()))
            done.wait(every)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield counts
    finally:
        done.set()
        thread.join()


def test_a_flood_takes_no_more_kernels_than_the_cap_and_they_are_closed_in_time(flood_server):
    server = flood_server
    server.settle(1, 60)  # the spare join kernel, warm
    spare = server.kernels()
    with sampling(server) as counts, ThreadPoolExecutor(READERS + ABORTED) as pool:
        readers = [pool.submit(get, server.base + PAGE) for _ in range(READERS)]
        for _ in range(ABORTED):
            pool.submit(abandon, server.base)
        answers = [r.result() for r in readers]
    assert max(counts) <= CAP, f"kernels alive during the flood: {counts}"
    server.settle(CAP, 15)  # the flood filled it: the kernels of the pages it was given
    statuses = sorted(a[0] for a in answers)
    assert 0 < statuses.count(200) <= CAP - 1  # the spare holds one place
    turned_away = [a for a in answers if a[0] != 200]
    assert len(turned_away) >= READERS - (CAP - 1)
    for status, headers, body in turned_away:
        assert status == 503 and headers["Retry-After"] == "60"
        assert "<h1>The workshop is full right now</h1>" in body

    # The workshop is full: a page is refused, the dashboard with its key opens all the same.
    assert get(server.base + PAGE)[0] == 503
    status, _, body = get(f"{server.base}/facilitator?key={FACILITATOR_KEY}")
    assert status == 200 and '"kernelId"' in body
    status, _, body = get(f"{server.base}/facilitator?key=not-the-key")
    assert status == 503 and "open the dashboard with its key" in body
    assert len(server.kernels()) <= CAP + 1  # the dashboard's is the only one past the cap

    # Nobody connected to any of them: all are closed within the limit, the spare is kept.
    server.settle(1, UNCONNECTED + SLACK)
    assert server.kernels() == spare
    server.no_tracebacks()


def test_one_browser_past_its_own_limit_gets_429(flood_server, browser):
    server = flood_server
    server.settle(1, UNCONNECTED + SLACK)
    mine = token("a")
    assert [get(server.base + PAGE, mine)[0] for _ in range(PER_BROWSER)] == [200] * PER_BROWSER
    status, headers, body = get(server.base + PAGE, mine)
    assert status == 429 and headers["Retry-After"] == "60"
    assert f"This browser already has {PER_BROWSER} workshop pages open" in body
    assert get(server.base + PAGE, token("b"))[0] == 200  # another browser: under the cap

    # The page as a browser shows it: accessible, and nothing asked of another host.
    context = browser.new_context()
    context.add_cookies([{"name": "rapport_id", "value": mine, "url": server.base}])
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    response = page.goto(server.base + PAGE)
    assert response.status == 429
    page.get_by_role("heading", name="You have many pages open").wait_for()
    assert page.get_by_role("main").count() == 1
    assert_accessible(page, "the 429 page")
    assert asked == [server.base + PAGE]
    context.close()
    server.no_tracebacks()


def test_a_participant_whose_kernel_was_closed_reloads_and_finds_their_answer(
    flood_server, browser
):
    server = flood_server
    server.settle(1, UNCONNECTED + SLACK)
    for n in range(CAP):  # the workshop is full again: the room starts all the same
        if get(server.base + PAGE, token(f"fill{n}"))[0] == 503:
            break
    assert get(server.base + PAGE, token("late"))[0] == 503

    asleep = threading.Event()
    to_server = []

    def kernel_socket(route) -> None:
        if not asleep.is_set():  # asleep: the page's socket is open but reaches nothing
            to_server.append(route.connect_to_server())

    facilitator = browser.new_context().new_page()
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.route_web_socket(re.compile(r"/api/kernels/[^/]+/channels"), kernel_socket)
    scale_answered(facilitator, phone, server.base, 3)  # the dashboard, and a join on the spare
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', phone.content()).group(1)
    assert get(f"{server.base}/api/kernels/{kernel}")[0] == 200

    asleep.set()  # the phone sleeps: its connection to the server drops
    for route in to_server:
        route.close()
    slept = time.monotonic()
    while get(f"{server.base}/api/kernels/{kernel}")[0] != 404:
        assert time.monotonic() - slept < IDLE_MINUTES * 60 + SLACK, "the kernel was kept"
        time.sleep(0.5)

    asleep.clear()  # the phone wakes: the page says what happened and offers a reload
    alert = phone.get_by_role("alert").filter(has_text="lost its connection to the workshop")
    alert.wait_for(timeout=30_000)
    alert.get_by_role("button", name="Reload the page").click()
    phone.get_by_role("button", name="✓ 3").wait_for(timeout=90_000)  # rejoined, answer kept
    assert phone.get_by_role("alert").count() == 0
    facilitator.context.close()
    phone.context.close()
    server.no_tracebacks()
