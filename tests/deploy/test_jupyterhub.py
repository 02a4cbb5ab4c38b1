"""The course under JupyterHub, unchanged: two learners, each with their own JupyterLab and Voila.

The suite starts JupyterHub (from PyPI) with configurable-http-proxy (from npm, installed once
into the virtualenv's ``chp/`` folder), the dummy authenticator and the simple local-process
spawner, all on loopback on free ports, configured by ``deploy/jupyterhub/jupyterhub_config.py``
plus only what a test run needs (ports, a temporary folder). Live rooms sit in the suite's
PostgreSQL, which both learners' servers reach; each learner's journal stays in their own home.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import yaml
from playwright.sync_api import expect

from rapport.store.database import Store
from rapport.store.rooms import Rooms

from ..browsing import free_port, wait_for
from ..conftest import ROOT
from ..serving.test_lab import SETTINGS, assert_no_widget_errors, open_notebook, run_all_cells

DEPLOY = ROOT / "deploy" / "jupyterhub"
EXAMPLE = DEPLOY / "jupyterhub_config.py"
# configurable-http-proxy 5 is the proxy JupyterHub 5 and 6 start and drive through its REST API.
CHP = "configurable-http-proxy@5"
WELCOME = "/lab/tree/notebooks/00-welcome.ipynb"
LEARNERS = {
    "ana": "Hub test: ana notices she plans her reply while her friend is still talking.",
    "ben": "Hub test: ben asks one more question before he offers any advice.",
}

# Run in a learner's own kernel (the one JupyterLab started for module 05), printing one line.
IN_KERNEL = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, store_history: false});
    let out = '', error = '';
    future.onIOPub = (msg) => {
        const kind = msg.header.msg_type;
        if (kind === 'stream') out += msg.content.text;
        if (kind === 'error') error += `${msg.content.ename}: ${msg.content.evalue}`;
    };
    await future.done;
    return [out.trim(), error];
}"""
WHO = (
    "import json; from rapport.course.learner import current_learner; "
    "from rapport.store.database import get_store, journal_store; "
    "print(json.dumps({'learner': current_learner(), 'journal': journal_store().url, "
    "'rooms': get_store().engine.url.get_backend_name()}))"
)
CREATE_ROOM = (
    "from rapport.store.database import get_store; from rapport.store.rooms import Rooms; "
    "print(Rooms(get_store()).create('05-listen').code)"
)
FIND_ROOM = (
    "from rapport.store.database import get_store; from rapport.store.rooms import Rooms; "
    "print(Rooms(get_store()).get({code!r}).module)"
)


def configurable_http_proxy() -> Path:
    """configurable-http-proxy from npm, installed into the virtualenv once and then reused."""
    folder = Path(sys.prefix) / "chp"
    command = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(
            "npm is missing: JupyterHub's proxy (configurable-http-proxy) comes from npm. "
            "Install Debian's npm package (apt-get install npm), then run the tests again."
        )
    # Installed beside the cache and moved into place whole, so a failed or concurrent install
    # never leaves a half-filled cache behind.
    staging = Path(tempfile.mkdtemp(prefix="chp-", dir=sys.prefix))
    npm_install = [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund", CHP]
    done = subprocess.run(npm_install, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.fail(f"npm could not install {CHP} (exit {done.returncode}):\n{done.stderr}")
    try:
        staging.rename(folder)
    except OSError:  # another run put it there first
        shutil.rmtree(staging, ignore_errors=True)
    return command


@dataclass
class Hub:
    """A running JupyterHub, its token for the suite, and where its learners keep their data."""

    url: str
    token: str
    folder: Path
    db_url: str
    process: subprocess.Popen

    @property
    def homes(self) -> Path:
        return self.folder / "homes"

    def api(self, path: str, method: str = "GET") -> dict:
        request = urllib.request.Request(
            f"{self.url}/hub/api{path}",
            method=method,
            data=b"" if method == "POST" else None,
            headers={"Authorization": f"token {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            if err.code == 409:  # the user exists already, or their server is running
                return {}
            raise

    def server_pid(self, name: str) -> int:
        """The process id of ``name``'s server, started (through the hub) if it is not."""
        for _ in range(120):
            server = self.api(f"/users/{name}").get("servers", {}).get("")
            if server and server["ready"]:
                return server["state"]["pid"]
            if not server:
                self.api(f"/users/{name}/server", method="POST")
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server did not start within 60 s")

    def stop(self) -> list[str]:
        """Stop the hub by its process id and wait for the proxy and the learners' servers
        (and their kernels) it started to end; return those still running after 30 s, which
        are then killed by process id."""
        if self.process.poll() is not None:
            return []
        started = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGTERM)  # the hub stops its proxy and servers first
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        _gone, alive = psutil.wait_procs(started, timeout=30)
        left = []
        for process in alive:
            try:
                left.append(f"{process.pid} {' '.join(process.cmdline()[:3])}")
                process.kill()
            except psutil.NoSuchProcess:
                continue
        psutil.wait_procs(alive, timeout=10)
        return left


def hub_config(folder: Path, homes: Path, proxy: Path, token: str, ports: dict[str, int]) -> str:
    """The example configuration, plus what a test run changes: free ports, files in
    ``folder``, homes in ``homes``, and a token for the suite to ask the hub about servers."""
    checkpoints = folder / "checkpoints"  # opening a notebook in JupyterLab makes a copy
    return f"""
load_subconfig({str(EXAMPLE)!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{ports["proxy"]}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {ports["hub"]}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
c.ConfigurableHTTPProxy.command = [{str(proxy)!r}]
c.ConfigurableHTTPProxy.pid_file = {str(folder / "proxy.pid")!r}
c.JupyterHub.pid_file = {str(folder / "hub.pid")!r}
c.JupyterHub.db_url = "sqlite:///{folder / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.args = [
    *c.Spawner.args,
    "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to run JupyterLab's commands
    "--FileCheckpoints.checkpoint_dir={checkpoints}",  # not into the repository
]
c.JupyterHub.services = [{{"name": "suite", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "suite", "scopes": ["admin:users", "admin:servers"], "services": ["suite"]}},
]
"""


@pytest.fixture(scope="module")
def hub(postgres_server, tmp_path_factory):
    """JupyterHub on free loopback ports, rooms on a fresh PostgreSQL database; stopped by
    process id afterwards, with everything it started."""
    from sqlalchemy import create_engine, text

    proxy = configurable_http_proxy()  # first: a missing npm fails before anything starts
    folder = tmp_path_factory.mktemp("hub")
    homes = folder / "homes"
    for name in LEARNERS:  # JupyterLab's settings for the test: no autosave, no news
        for plugin, values in SETTINGS.items():
            path = homes / name / ".jupyter/lab/user-settings/@jupyterlab" / plugin
            path = path.with_name(f"{path.name}.jupyterlab-settings")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
    database = f"hub_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    token = secrets.token_hex(24)
    ports = {"proxy": free_port(), "hub": free_port(), "proxy_api": free_port()}
    config = folder / "jupyterhub_config.py"
    config.write_text(hub_config(folder, homes, proxy, token, ports))
    # The example configuration hands RAPPORT_DB_URL on to every learner's server; nothing
    # else of this environment reaches them (the spawner keeps only PATH, LANG and the like).
    env = {**os.environ, "RAPPORT_DB_URL": f"{postgres_server}/{database}"}
    log = (folder / "hub.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(config)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    running = Hub(
        f"http://127.0.0.1:{ports['proxy']}", token, folder, env["RAPPORT_DB_URL"], process
    )
    try:
        try:
            wait_for(f"{running.url}/hub/api", process, seconds=60)
        except (RuntimeError, TimeoutError) as err:
            log.flush()
            tail = "\n".join((folder / "hub.log").read_text().splitlines()[-30:])
            pytest.fail(f"JupyterHub did not start ({err}); the end of its log:\n{tail}")
        yield running
    finally:
        running.stop()
        log.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def log_in(browser, hub: Hub, name: str):
    """A browser of ``name``'s own, logged in: the hub starts their server and opens it."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text}"))
    page.goto(f"{hub.url}/hub/login", timeout=60_000)
    page.fill("#username_input", name)
    page.fill("#password_input", "any password will do")
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}{WELCOME}*", timeout=90_000)
    return page


def in_kernel(page, code: str) -> str:
    """What ``code`` prints, run in the kernel of the notebook open in JupyterLab."""
    out, error = page.evaluate(IN_KERNEL, code)
    assert not error, f"{code!r} failed in the learner's kernel: {error}"
    return out


def save_reflection(page, scope, text: str) -> None:
    box = scope.locator(".rp-box", has=page.locator("textarea")).first
    box.locator("textarea").fill(text)
    box.get_by_role("button", name=re.compile(r"Save$")).click()
    box.get_by_text("Saved in your journal").wait_for(timeout=20_000)


def voila(page, hub: Hub, name: str, notebook: str, ready: str):
    response = page.goto(f"{hub.url}/user/{name}/voila/render/notebooks/{notebook}", timeout=90_000)
    assert response is not None and response.ok, (
        f"Voila's server extension did not render {notebook} for {name} "
        f"(HTTP {response and response.status}): is it enabled in the single-user server?"
    )
    page.locator(ready).first.wait_for(timeout=90_000)


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_two_learners_study_in_their_own_jupyterlab_and_voila_and_share_rooms(browser, hub):
    pages, seen = {}, {}
    room = None
    for name, text in LEARNERS.items():
        page = pages[name] = log_in(browser, hub, name)  # opened on the welcome notebook
        page.goto(f"{hub.url}/user/{name}/lab/tree/notebooks/05-listen.ipynb", timeout=60_000)
        open_notebook(page, "notebooks/05-listen.ipynb")
        run_all_cells(page)
        save_reflection(page, page.locator(".jp-NotebookPanel:visible"), text)
        assert_no_widget_errors(page)

        seen[name] = json.loads(in_kernel(page, WHO))
        if room is None:  # a room made from ana's server...
            room = in_kernel(page, CREATE_ROOM)
        else:  # ...is found from ben's
            assert in_kernel(page, FIND_ROOM.format(code=room)) == "05-listen"

        # The same module through Voila, on the same server: the reflection is there.
        voila(page, hub, name, "05-listen.ipynb", ".rp-choice")
        answer = page.locator(".rp-box textarea").first
        expect(answer).to_have_value(text, timeout=20_000)

    assert Rooms(Store(hub.db_url)).get(room).module == "05-listen"
    for name in LEARNERS:
        assert seen[name]["learner"] == name
        assert seen[name]["rooms"] == "postgresql"
        assert str(hub.homes / name) in seen[name]["journal"]

    # Each learner's journal holds their own words, and never the other's.
    for name, page in pages.items():
        voila(page, hub, name, "journal.ipynb", "text=newest first")
        body = page.inner_text("body")
        other = next(n for n in LEARNERS if n != name)
        assert LEARNERS[name] in body
        assert LEARNERS[other] not in body
        assert_no_widget_errors(page)

    # On disk: one journal per home, none in the shared database.
    for name in LEARNERS:
        own = Store(seen[name]["journal"])
        assert [e.text for e in own.entries(name)] == [LEARNERS[name]]
        assert all(own.entries(other) == [] for other in LEARNERS if other != name)
        assert Store(hub.db_url).entries(name) == []

    # Ben's browser is refused ana's server: her journal page, her JupyterLab.
    for path in ("voila/render/notebooks/journal.ipynb", "lab"):
        response = pages["ben"].goto(f"{hub.url}/user/ana/{path}", timeout=60_000)
        assert response is not None and response.status == 403, path
        assert LEARNERS["ana"] not in pages["ben"].inner_text("body")

    for page in pages.values():
        page.context.close()


def test_stopping_the_hub_stops_its_proxy_and_every_learners_server(hub):
    for name in LEARNERS:  # known to the hub already when the browser test ran first
        hub.api(f"/users/{name}", method="POST")
    servers = {hub.server_pid(name) for name in LEARNERS}
    proxy = int((hub.folder / "proxy.pid").read_text())
    started = {p.pid for p in psutil.Process(hub.process.pid).children(recursive=True)}
    assert servers | {proxy} <= started
    left = hub.stop()
    assert left == [], f"still running after the hub stopped (then killed by process id): {left}"


# -- the deployment files, read (not run) so they cannot rot unnoticed -----------------------
def load_config(path: Path):
    """A JupyterHub configuration file as JupyterHub reads it (no hub is started)."""
    from traitlets.config.loader import PyFileConfigLoader

    ast.parse(path.read_text(encoding="utf-8"), filename=str(path))  # a clear syntax error
    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def test_the_example_and_tljh_configurations_load_and_open_the_welcome_notebook():
    example = load_config(EXAMPLE)
    assert example.Spawner.default_url == WELCOME
    assert example.Spawner.environment["RAPPORT_HOME"] == str(ROOT)
    tljh = load_config(DEPLOY / "tljh_rapport.py")
    assert tljh.Spawner.default_url == WELCOME
    environment = tljh.Spawner.environment.get_value({})  # updated, as TLJH's own may be set
    assert environment["RAPPORT_HOME"] == "/opt/rapport"


def test_the_z2jh_values_open_the_welcome_notebook_with_rooms_from_a_secret():
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text(encoding="utf-8"))
    user = values["singleuser"]
    assert user["defaultUrl"] == WELCOME
    secret = user["extraEnv"]["RAPPORT_DB_URL"]["valueFrom"]["secretKeyRef"]
    assert secret["name"] and secret["key"]
    # The image the values name is built by the Dockerfile: the course where they expect it.
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    home = user["extraEnv"]["RAPPORT_HOME"]
    assert f"ENV RAPPORT_HOME={home}" in dockerfile
    assert f"{home}/notebooks" in " ".join(user["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "voila.server_extension" in dockerfile
