"""Shared fixtures: a throwaway store, the sample project and the shipped content."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from rapport.content.loading import load_module
from rapport.content.schema import Module
from rapport.store.database import Store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")


@pytest.fixture
def sample() -> Module:
    """The small valid module in tests/data/project."""
    return load_module("01-sample", DATA / "project")


@pytest.fixture
def listen() -> Module:
    """The shipped module 05, "Listen to understand"."""
    return load_module("05-listen", ROOT)


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL on a free loopback port, stopped by its process id afterwards."""
    import os
    import shutil
    import signal
    import socket
    import subprocess
    import tempfile

    bindir = _postgres_bin()
    if bindir is None:
        pytest.fail(
            "PostgreSQL is not installed: `make test` installs Debian's postgresql package."
        )
    data = Path(tempfile.mkdtemp(prefix="rapport-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        [*as_user, bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust"], **run
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {data} -c fsync=off"
    subprocess.run(
        [*as_user, bindir / "pg_ctl", "-D", data, "-o", options, "-l", data / "log", "-w", "start"],
        **run,
    )
    pid = int((data / "postmaster.pid").read_text().split()[0])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path: Path) -> Store:
    """The same store API on SQLite and on a real PostgreSQL, each test on a fresh database."""
    if request.param == "sqlite":
        yield Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
        return
    from sqlalchemy import create_engine, text

    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    store = Store(f"{server}/{name}")
    yield store
    store.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


# -- the served workshop and Chromium, shared by the browser tests ----------------------------
@pytest.fixture(scope="session")
def served_store(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('served') / 'served.sqlite3'}"


@pytest.fixture(scope="session")
def server(tmp_path_factory, served_store):
    """``rapport serve`` on a free loopback port with its own store; stopped by process id."""
    from .browsing import serving

    with serving(tmp_path_factory.mktemp("serve-log"), served_store) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from .browsing import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.console_lines.append(f"pageerror: {e}"))
    yield page
    context.close()
