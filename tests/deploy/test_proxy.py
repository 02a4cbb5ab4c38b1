"""Several servers, one room: two ``rapport serve`` behind nginx, sharing one PostgreSQL.

The proxy is deploy/nginx's site file, run with Debian's nginx binary in the foreground from a
temporary folder (its own configuration, pid file and logs) on a free loopback port; the two
servers run on free loopback ports against a fresh database on the suite's PostgreSQL. Both
servers and nginx are stopped by process (group) id. Nothing here uses the system's nginx
service, its configuration or its port.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from rapport.cli import main

from ..browsing import FACILITATOR_KEY, free_port, scale_answered, stop

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "nginx"))

import rapport_nginx  # noqa: E402

ROUTE_COOKIE = re.compile(r"^rapport_route=([0-9a-f]{32});")
SERVERS = 2
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def database(postgres_server):
    """A fresh database on the suite's PostgreSQL, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"proxy_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_server}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def start_server(folder: Path, db_url: str, port: int, public_url: str) -> subprocess.Popen:
    """``rapport serve`` as deploy/README.md runs it behind the proxy, with one spare kernel."""
    env = {
        **os.environ,
        "RAPPORT_DB_URL": db_url,
        "RAPPORT_JOURNAL_URL": db_url,
        "RAPPORT_FACILITATOR_KEY": FACILITATOR_KEY,
    }
    command = [sys.executable, "-m", "rapport.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--identity", "browser", "--pool", "1"]
    command += ["--public-url", public_url]
    with (folder / f"voila-{port}.log").open("w") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def get(base: str, path: str, cookie: str = "") -> http.client.HTTPResponse:
    """One GET, redirects not followed; the response with its body read."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def set_cookies(response: http.client.HTTPResponse) -> list[str]:
    return response.headers.get_all("Set-Cookie") or []


def wait_answering(base: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Until the server answers at all (``/join`` only redirects: no kernel is started)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server for {base} exited"
        try:
            get(base, "/join")
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the server at {base} did not answer within {seconds} s")


def wait_for_spare(log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while "is filled with 1 kernel(s)" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"no spare join kernel got ready ({log.name})"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def room(database, tmp_path_factory):
    """Two servers started together on a fresh database, and nginx in front of them."""
    rapport_nginx.nginx_binary()  # fails at once, saying how to install nginx, if it is missing
    folder = tmp_path_factory.mktemp("proxy")
    ports = [free_port() for _ in range(SERVERS)]
    proxy_port = free_port()
    public = f"http://127.0.0.1:{proxy_port}/"
    servers = [start_server(folder, database, port, public) for port in ports]
    try:
        for port, process in zip(ports, servers, strict=True):
            wait_answering(f"http://127.0.0.1:{port}", process)
        with rapport_nginx.running(folder / "nginx", ports, proxy_port) as proxy:
            yield {"proxy": proxy, "ports": ports, "folder": folder, "servers": servers}
    finally:
        for process in servers:
            if process.poll() is None:  # the last browser test stops one itself
                stop(process)


def upstream(port: int) -> str:
    return f"127.0.0.1:{port}"


def test_fresh_browsers_reach_both_servers_and_each_browser_stays_on_its_own(room):
    proxy, ports = room["proxy"], room["ports"]
    reached = set()
    for _ in range(20):  # 20 new browsers: all on one server is under a 1 in 100,000 chance
        first = get(proxy, "/join")
        assert first.status in (301, 302)  # the redirect to the join page
        assert str(ports[0]) not in first.headers["Location"]  # the redirect stays on the proxy
        assert str(ports[1]) not in first.headers["Location"]
        cookies = [c for c in set_cookies(first) if ROUTE_COOKIE.match(c)]
        assert len(cookies) == 1, set_cookies(first)
        assert "; HttpOnly; SameSite=Lax" in cookies[0]
        key = ROUTE_COOKIE.match(cookies[0]).group(1)
        server = first.headers["X-Rapport-Upstream"]
        assert server in {upstream(p) for p in ports}
        reached.add(server)
        for _ in range(3):  # the same browser, now sending its cookie back
            again = get(proxy, "/join", f"rapport_route={key}")
            assert again.headers["X-Rapport-Upstream"] == server
            # a placed browser is never given another key
            assert not any(ROUTE_COOKIE.match(c) for c in set_cookies(again))
    assert reached == {upstream(p) for p in ports}
    # A cookie nginx did not make is replaced, not trusted as a key.
    forged = get(proxy, "/join", "rapport_route=../../etc; other=1")
    assert any(ROUTE_COOKIE.match(c) for c in set_cookies(forged))


def keys_for_each_server(proxy: str, ports: list[int]) -> dict[int, str]:
    """A routing key that the proxy sends to each server, found by asking it."""
    found: dict[int, str] = {}
    for _ in range(200):
        key = secrets.token_hex(16)
        server = get(proxy, "/join", f"rapport_route={key}").headers["X-Rapport-Upstream"]
        found.setdefault(int(server.rsplit(":", 1)[1]), key)
        if len(found) == len(ports):
            return found
    raise AssertionError(f"the proxy sent 200 keys to only {sorted(found)} of {ports}")


def access_log(folder: Path) -> list[tuple[str, str, str, str]]:
    """(key, server, status, path) of every request nginx has finished."""
    lines = (folder / "nginx" / "access.log").read_text().splitlines()
    return [tuple(line.replace('"', "").split(" ", 3)) for line in lines]


@pytest.mark.browser
def test_a_participant_on_one_server_answers_and_the_facilitator_on_the_other_sees_it(
    room, browser
):
    proxy, ports, folder = room["proxy"], room["ports"], room["folder"]
    for port in ports:  # each server's spare join kernel, ready for whoever joins there
        wait_for_spare(folder / f"voila-{port}.log")
    keys = keys_for_each_server(proxy, ports)
    board_server, phone_server = ports
    facilitator = browser.new_context(viewport={"width": 1280, "height": 1000})
    phone = browser.new_context(viewport=PHONE)
    for context, port in ((facilitator, board_server), (phone, phone_server)):
        context.add_cookies([{"name": "rapport_route", "value": keys[port], "url": proxy}])
    board, page = facilitator.new_page(), phone.new_page()
    try:
        code = scale_answered(board, page, proxy, 3)  # the phone has seen its answer taken
        answered = time.monotonic()
        board.get_by_text("1 answered").wait_for(timeout=5_000)  # the dashboard polls each 1 s
        seen_after = time.monotonic() - answered
        # The join link and QR code point at the proxy, not at the server behind it.
        assert board.get_by_text(f"{proxy}/join", exact=True).is_visible()
        qr = board.locator(".rp-qr").get_attribute("aria-label")
        assert qr == f"QR code for {proxy}/join?code={code}"
    finally:
        facilitator.close()
        phone.close()
    assert seen_after < 5
    # Every request of each browser, its kernels' websockets included, went to its server.
    deadline = time.monotonic() + 10
    while True:
        log = access_log(folder)
        done = {
            port: [r for r in log if r[0] == keys[port] and "/channels" in r[3] and r[2] == "101"]
            for port in ports
        }
        if all(done.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # nginx logs a websocket once it has closed
    for port in ports:
        mine = [r for r in log if r[0] == keys[port]]
        assert mine and {r[1] for r in mine} == {upstream(port)}, mine
        assert done[port], f"no kernel websocket through the proxy for the browser on {port}"
    # The participant got the spare kernel its server had ready, and talked to that kernel.
    spare = re.search(
        r"Using pre-heated kernel: ([0-9a-f-]+)",
        (folder / f"voila-{phone_server}.log").read_text(errors="replace"),
    )
    assert spare, "the participant's server did not use its spare join kernel"
    assert any(f"/api/kernels/{spare.group(1)}/channels" in r[3] for r in done[phone_server])


@pytest.mark.browser
def test_when_a_server_stops_its_participants_reload_onto_the_other_as_themselves(room, browser):
    """Runs after the tests that need both servers: it stops the second one."""
    proxy, ports = room["proxy"], room["ports"]
    keys = keys_for_each_server(proxy, ports)
    facilitator = browser.new_context(viewport={"width": 1280, "height": 1000})
    phone = browser.new_context(viewport=PHONE)
    for context, port in ((facilitator, ports[0]), (phone, ports[1])):
        context.add_cookies([{"name": "rapport_route", "value": keys[port], "url": proxy}])
    board, page = facilitator.new_page(), phone.new_page()
    try:
        scale_answered(board, page, proxy, 4)
        stop(room["servers"][1])  # the participant's server goes down mid-room
        alert = page.get_by_role("alert").filter(has_text="lost its connection to the workshop")
        alert.wait_for(timeout=60_000)
        alert.get_by_role("button", name="Reload the page").click()
        page.get_by_role("button", name="✓ 4").wait_for(timeout=90_000)  # the same person
        assert page.get_by_role("alert").filter(has_text="lost its connection").count() == 0
        board.wait_for_timeout(2_500)  # two of the dashboard's polls after the rejoin
        assert board.get_by_text("1 answered").is_visible()  # the same answer, counted once
        assert board.get_by_text("2 answered").count() == 0
    finally:
        facilitator.close()
        phone.close()
    after = [r for r in access_log(room["folder"]) if r[0] == keys[ports[1]] and r[2] == "200"]
    assert after[-1][1].endswith(f":{ports[0]}"), after[-1]  # the reload, served by the other


def test_the_site_file_passes_nginx_own_check_inside_debians_configuration(tmp_path):
    """The rendered site, included where Debian's nginx.conf includes sites-enabled/*."""
    debian = Path("/etc/nginx/nginx.conf")
    binary = rapport_nginx.nginx_binary()  # fails with how to install it, never skips
    assert debian.exists(), "Debian's nginx package has no /etc/nginx/nginx.conf: reinstall it"
    site = tmp_path / "rapport"
    site.write_text(rapport_nginx.site([8866, 8867], "80", "workshop.example.org"))
    text = debian.read_text()
    assert "include /etc/nginx/sites-enabled/*;" in text
    text = text.replace("include /etc/nginx/sites-enabled/*;", f"include {site};")
    # Only the check's own files move to the temporary folder; nothing is bound or written.
    text = text.replace("/var/log/nginx/", f"{tmp_path}/").replace("/run/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(text)
    checked = subprocess.run(
        [binary, "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_servers_opening_a_new_database_together_all_start(database):
    """Three processes create the tables of one new PostgreSQL database at the same moment."""
    from sqlalchemy import create_engine, text

    admin_url, _ = database.rsplit("/", 1)
    name = f"race_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        code = f"from rapport.store.database import Store; Store({f'{admin_url}/{name}'!r})"
        openers = [
            subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        failed = [err for p in openers if (err := p.communicate(timeout=60)[1]) and p.returncode]
        assert failed == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_serve_takes_the_proxys_address_for_the_join_link(capsys):
    from rapport.serving.serve import plan

    chosen = plan("127.0.0.1", 8866, "browser", "k", public_url="https://workshop.example.org/")
    assert "Participants join at:   https://workshop.example.org/join" in chosen.banner()
    for bad in ("workshop.example.org", "ftp://example.org/", "https://example.org/rapport/"):
        with pytest.raises(SystemExit) as exited:
            main(["serve", "--public-url", bad])
        assert exited.value.code == 2
        assert "is not an address participants can open" in capsys.readouterr().err
