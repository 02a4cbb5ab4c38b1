"""Page kernels forked from rapport serve's fork server: what they are given, and what the
server can still do with them (interrupt, restart, shut down, notice a death)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from jupyter_client import KernelManager

from rapport.serving import forking, forkserver
from rapport.serving.serve import use_rapport_templates


@pytest.fixture
def fork_server():
    with forking.running() as path:
        assert path is not None, "the fork server did not start"
        assert os.environ[forking.ENV_SOCKET] == path
        yield path
    assert forking.ENV_SOCKET not in os.environ


@pytest.fixture
def page_kernel_spec(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_PATH", "")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    use_rapport_templates()


def start(tmp_path, **env) -> KernelManager:
    manager = KernelManager(kernel_name="python3")
    folder = tmp_path / "pages"
    folder.mkdir(exist_ok=True)
    manager.start_kernel(cwd=str(folder), env={**os.environ, **env})
    return manager


def run(manager: KernelManager, code: str, timeout: float = 60) -> tuple[dict, str]:
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []
        reply = client.execute_interactive(
            code,
            timeout=timeout,
            output_hook=lambda m: out.append(m["content"].get("text", "")),
        )
        return reply["content"], "".join(out)
    finally:
        client.stop_channels()


def ended(process: psutil.Process, seconds: float) -> bool:
    """Whether ``process`` ends within ``seconds`` (a zombie nobody reaped yet has ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def title_of(process: psutil.Process) -> str:
    return " ".join(part for part in process.cmdline() if part)


PROBE = (
    "import json, os, sys\n"
    "print(json.dumps({'pid': os.getpid(), 'session': os.getsid(0), 'group': os.getpgid(0),"
    " 'cwd': os.getcwd(), 'marker': os.environ.get('RAPPORT_TEST_MARKER'),"
    " 'preloaded': 'sqlalchemy' in sys.modules and 'rapport.pages.lesson' in sys.modules,"
    " 'argv0': sys.argv[0], 'debugpy': sys.modules.get('debugpy') is not None,"
    " 'history': get_ipython().history_manager.enabled,"
    " 'widget_targets': sorted(t for t in get_ipython().kernel.comm_manager.targets"
    " if t.startswith('jupyter.widget')),"
    " 'watches': __import__('ipykernel.kernelapp').kernelapp.IPKernelApp.instance()"
    ".parent_handle == os.getppid()}))"
)


def test_a_page_kernel_is_forked_with_its_own_session_folder_and_environment(
    fork_server, page_kernel_spec, tmp_path
):
    manager = start(tmp_path, RAPPORT_TEST_MARKER="page-1")
    try:
        assert isinstance(manager.provisioner, forking.ForkProvisioner)
        assert isinstance(manager.provisioner.process, forking.ForkedProcess)
        reply, out = run(manager, PROBE)
        assert reply["status"] == "ok", reply
        seen = json.loads(out)
        assert seen["pid"] == manager.provisioner.pid
        assert seen["session"] == seen["group"] == seen["pid"]  # its own session, like Popen's
        assert seen["cwd"] == str(tmp_path / "pages")
        assert seen["marker"] == "page-1"
        assert seen["preloaded"]  # imported by the fork server, not by the page
        assert seen["argv0"] == "rapport.serving.kernel"
        assert (seen["debugpy"], seen["history"]) == (
            False,
            False,
        )  # rapport.serving.kernel's settings
        # as if ipywidgets had been imported into the running kernel: the browser can fetch
        # all widget states at once through the control comm
        assert seen["widget_targets"] == ["jupyter.widget", "jupyter.widget.control"]
        assert seen["watches"]  # its parent, the fork server
        kernel = psutil.Process(seen["pid"])
        assert title_of(kernel.parent()) == "rapport fork server"
        title = title_of(kernel)  # what ps shows: the command a kernel would have
        assert "-m rapport.serving.kernel -f " in title and manager.connection_file in title
    finally:
        manager.shutdown_kernel(now=True)


def test_two_kernels_are_separate_processes_with_their_own_environment(
    fork_server, page_kernel_spec, tmp_path
):
    first = start(tmp_path, RAPPORT_TEST_MARKER="first")
    second = start(tmp_path, RAPPORT_TEST_MARKER="second")
    try:
        seen = [json.loads(run(m, PROBE)[1]) for m in (first, second)]
        assert seen[0]["pid"] != seen[1]["pid"]
        assert [s["marker"] for s in seen] == ["first", "second"]
        _, out = run(first, "x = 41\nprint(x + 1)")
        assert out.strip() == "42"
        reply, _ = run(second, "print(x)")
        assert reply["status"] == "error" and reply["ename"] == "NameError"
    finally:
        first.shutdown_kernel(now=True)
        second.shutdown_kernel(now=True)


def test_a_forked_kernel_can_be_interrupted_restarted_and_shut_down(
    fork_server, page_kernel_spec, tmp_path
):
    manager = start(tmp_path)
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        msg_id = client.execute("import time\ntime.sleep(60)")
        time.sleep(1)
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=30)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = client.get_shell_msg(timeout=30)
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        client.stop_channels()

        before = manager.provisioner.pid
        manager.restart_kernel(now=True)
        assert isinstance(manager.provisioner.process, forking.ForkedProcess)
        assert manager.provisioner.pid != before
        assert not psutil.pid_exists(before) or psutil.Process(before).status() == "zombie"
        reply, out = run(manager, "print('back')")
        assert out.strip() == "back"

        pid = manager.provisioner.pid
        manager.shutdown_kernel()
        assert not manager.is_alive()
        deadline = time.monotonic() + 10
        while psutil.pid_exists(pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # the fork server reaps it
        assert not psutil.pid_exists(pid)
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)


def test_the_server_notices_a_forked_kernel_that_was_killed(
    fork_server, page_kernel_spec, tmp_path
):
    manager = start(tmp_path)
    try:
        run(manager, "pass")
        assert manager.is_alive()
        os.kill(manager.provisioner.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while manager.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not manager.is_alive()
    finally:
        manager.shutdown_kernel(now=True)


def test_without_a_fork_server_kernels_start_as_new_processes(page_kernel_spec, tmp_path):
    assert forking.ENV_SOCKET not in os.environ
    manager = start(tmp_path)
    try:
        assert not isinstance(manager.provisioner.process, forking.ForkedProcess)
        _, out = run(manager, PROBE)
        seen = json.loads(out)
        assert not seen["preloaded"]
        assert psutil.Process(seen["pid"]).parent().pid == os.getpid()
    finally:
        manager.shutdown_kernel(now=True)


def test_a_fork_server_that_is_gone_means_a_new_process_not_a_failure(
    page_kernel_spec, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv(forking.ENV_SOCKET, str(tmp_path / "gone.sock"))
    manager = start(tmp_path)
    try:
        assert not isinstance(manager.provisioner.process, forking.ForkedProcess)
        _, out = run(manager, "print('fine')")
        assert out.strip() == "fine"
    finally:
        manager.shutdown_kernel(now=True)


def test_the_fork_server_forks_nothing_but_the_page_kernel(fork_server, tmp_path):
    with pytest.raises(forking.ForkError, match="page kernel's argv"):
        forking.fork_kernel(
            fork_server,
            [sys.executable, "-c", "print('anything else')"],
            dict(os.environ),
            str(tmp_path),
        )
    assert not forking.is_page_kernel(["/usr/bin/python2", "-m", "rapport.serving.kernel"])
    assert forking.is_page_kernel([sys.executable, "-m", "rapport.serving.kernel", "-f", "k.json"])


def test_a_silent_client_does_not_hold_up_the_kernels_of_others(
    fork_server, page_kernel_spec, tmp_path
):
    import socket

    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(fork_server)  # connects, then says nothing
    half = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    half.connect(fork_server)
    half.sendall(b'{"argv": ')  # half a request, then nothing
    try:
        began = time.monotonic()
        manager = start(tmp_path)
        try:
            assert time.monotonic() - began < forkserver.REQUEST_TIMEOUT
            assert title_of(psutil.Process(manager.provisioner.pid).parent()) == (
                "rapport fork server"
            )
            _, out = run(manager, "print('served')")
            assert out.strip() == "served"
        finally:
            manager.shutdown_kernel(now=True)
        for client in (silent, half):
            client.settimeout(forkserver.REQUEST_TIMEOUT + 5)
            reply = json.loads(client.recv(4096) or b"{}")
            assert "no whole request within" in reply.get("error", "")
    finally:
        silent.close()
        half.close()


def test_a_malformed_request_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="ended early"):
        forkserver.parse_request(b'{"argv": []}', complete=False)
    with pytest.raises(ValueError, match="JSON object"):
        forkserver.parse_request(b"[1, 2]\n")
    with pytest.raises(ValueError, match="too long"):
        forkserver.parse_request(b"x" * (forkserver.REQUEST_LIMIT + 1))


def test_away_from_linux_kernels_start_from_scratch(monkeypatch):
    assert forking.available() is sys.platform.startswith("linux")  # true here, on Linux
    said = []
    monkeypatch.setattr(forking, "available", lambda: False)
    with forking.running(log=said.append) as path:
        assert path is None and forking.ENV_SOCKET not in os.environ
    assert "needs Linux" in said[0]


def test_kernels_end_when_their_fork_server_is_gone(fork_server, page_kernel_spec, tmp_path):
    manager = start(tmp_path)
    try:
        run(manager, "pass")
        kernel = psutil.Process(manager.provisioner.pid)
        server = kernel.parent()
        assert title_of(server) == "rapport fork server"
        server.kill()  # as when `rapport serve` is gone: the fork server goes with it
        assert ended(kernel, 15)  # ipykernel's watch on its parent ends it
    finally:
        manager.shutdown_kernel(now=True)


def test_the_fork_server_ends_with_the_server_that_started_it(tmp_path):
    script = (
        "import time\n"
        "from rapport.serving import forking\n"
        "with forking.running() as path:\n"
        "    print(path, flush=True)\n"
        "    time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        path = parent.stdout.readline().strip()
        assert path.endswith(".sock")
        (server,) = psutil.Process(parent.pid).children()
        assert title_of(server) == "rapport fork server"
        parent.kill()  # no chance to stop it: Linux ends it (PR_SET_PDEATHSIG)
        parent.wait()
        server.wait(timeout=10)
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()


def test_a_forked_process_is_watched_and_signalled_through_its_pidfd():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pidfd = os.pidfd_open(child.pid)
    process = forking.ForkedProcess(child.pid, pidfd)
    try:
        assert process.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=0.1)
        process.terminate()
        child.wait(timeout=10)  # reaped by its real parent, as the fork server does
        assert process.wait(timeout=10) == 0
        with pytest.raises(OSError):  # seen to end, it let go of its pidfd
            os.fstat(pidfd)
        assert process.poll() == 0
        process.kill()  # ended: nothing to signal, no error
        process.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_kernels_find_the_content_read_and_a_changed_file_read_again(
    page_kernel_spec, tmp_path, monkeypatch
):
    import shutil

    from rapport.content.loading import project_root

    home = tmp_path / "course"
    shutil.copytree(project_root() / "exercises", home / "exercises")
    monkeypatch.setenv("RAPPORT_HOME", str(home))
    with forking.running():
        changed = home / "exercises" / "05-listen.yaml"
        text = changed.read_text()
        changed.write_text(text.replace("title: ", "title: Edited ", 1))
        os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))  # a later mtime
        manager = start(tmp_path)
        try:
            reply, out = run(
                manager,
                "from rapport.content.loading import _load, load_module\n"
                "before = _load.cache_info().currsize\n"
                "hits = _load.cache_info().hits\n"
                "print(before, load_module('04-open-up').id, _load.cache_info().hits - hits,"
                " load_module('05-listen').title)",
            )
        finally:
            manager.shutdown_kernel(now=True)
    cached, _, unchanged_hits, title = out.split(maxsplit=3)
    assert reply["status"] == "ok", reply
    assert int(cached) >= 15  # the manifest, 14 modules and the self-assessment
    assert unchanged_hits == "1"  # read by the fork server, not again
    assert title.startswith("Edited ")


def test_with_rooms_in_postgresql_the_fork_server_loads_the_driver_once_for_all(monkeypatch):
    monkeypatch.setenv("RAPPORT_DB_URL", "postgresql+psycopg://someone@127.0.0.1:5432/rooms")
    assert forkserver.store_driver() == ("psycopg", "sqlalchemy.dialects.postgresql.psycopg")
    monkeypatch.setenv("RAPPORT_DB_URL", "sqlite:////tmp/rooms.sqlite3")
    assert forkserver.store_driver() == ()
