"""The rapport command: sync, new and serve's arguments (check is in test_check.py)."""

import shutil
from pathlib import Path

import nbformat
import pytest

from rapport.cli import build_parser, main
from rapport.serving.serve import voila_argv

from .conftest import DATA


def copy_project(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "project", tmp_path / "p")
    return tmp_path / "p"


def test_sync_reports_what_it_changed(tmp_path, capsys):
    root = copy_project(tmp_path)
    path = root / "notebooks/01-sample.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source = "stale footer"
    nbformat.write(nb, path)
    assert main(["--root", str(root), "sync"]) == 0
    assert "updated 01-sample.ipynb" in capsys.readouterr().out
    assert main(["--root", str(root), "sync"]) == 0
    assert "0 notebooks updated." in capsys.readouterr().out


def test_new_refuses_to_overwrite_a_notebook(tmp_path, capsys):
    root = copy_project(tmp_path)
    assert main(["--root", str(root), "new", "01-sample"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_new_lays_out_a_notebook(tmp_path, capsys):
    root = copy_project(tmp_path)
    (root / "notebooks/01-sample.ipynb").unlink()
    assert main(["--root", str(root), "new", "01-sample"]) == 0
    assert (root / "notebooks/01-sample.ipynb").exists()


def test_content_errors_are_printed_not_raised(tmp_path, capsys):
    root = copy_project(tmp_path)
    (root / "exercises/01-sample.yaml").unlink()
    (root / "notebooks/01-sample.ipynb").unlink()
    assert main(["--root", str(root), "new", "01-sample"]) == 1
    assert "exercises/01-sample.yaml: file not found" in capsys.readouterr().err


def test_serve_defaults_to_loopback_on_8866():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8866)
    argv = voila_argv(Path("/course"), args.host, args.port, open_browser=False)
    assert argv[0] == "/course"
    assert "--Voila.ip=127.0.0.1" in argv and "--port=8866" in argv and "--no-browser" in argv
    assert "--VoilaConfiguration.show_tracebacks=False" in argv


def test_serve_passes_the_browser_token_header_to_kernels():
    argv = voila_argv(Path("/course"), "127.0.0.1", 8866, open_browser=False)
    at = argv.index("--VoilaConfiguration.http_header_envs")
    assert argv[at + 1] == "X-Rapport-Token"


def test_a_network_host_gives_each_browser_its_own_journal_and_prints_the_urls(monkeypatch):
    from rapport.serving.serve import plan

    monkeypatch.delenv("RAPPORT_FACILITATOR_KEY", raising=False)
    chosen = plan("0.0.0.0", 9000)
    assert chosen.identity == "browser"
    assert chosen.public_url.startswith("http://") and "0.0.0.0" not in chosen.public_url
    banner = chosen.banner()
    assert f"{chosen.public_url}join" in banner
    assert f"{chosen.public_url}facilitator?key={chosen.key}" in banner
    assert plan("127.0.0.1", 9000).identity == "account"
    assert plan("127.0.0.1", 9000).key != chosen.key  # a fresh key for every start
    monkeypatch.setenv("RAPPORT_FACILITATOR_KEY", "planned-key-for-tuesday")
    assert plan("127.0.0.1", 9000).key == "planned-key-for-tuesday"


def test_one_shared_account_journal_on_the_network_is_refused(capsys):
    assert main(["serve", "--host", "0.0.0.0", "--identity", "account", "--port", "8999"]) == 2
    assert "would let every device on the network" in capsys.readouterr().err


def test_room_commands_list_export_and_delete(tmp_path, monkeypatch, capsys):
    import secrets

    from rapport.store.database import get_store
    from rapport.store.rooms import Rooms

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'rooms.sqlite3'}")
    rooms = Rooms(get_store())
    assert main(["room", "list"]) == 0
    assert "No rooms yet" in capsys.readouterr().out
    code = rooms.show(rooms.create("05-listen").code, "how-hard", "open").code
    for value in (2, 4, 4):
        person = secrets.token_urlsafe(16)
        rooms.join(code, person)
        rooms.submit(code, person, "how-hard", value)
    assert main(["room", "list"]) == 0
    assert f"{code}  05-listen" in capsys.readouterr().out
    out = tmp_path / "answers.csv"
    assert main(["room", "export", code.lower(), "--out", str(out)]) == 0
    assert "wrote 3 answers" in capsys.readouterr().out
    assert out.read_text().count("\n") == 4 and "how-hard" in out.read_text()
    assert main(["room", "export", code, "--out", str(out)]) == 1  # never overwrites silently
    assert main(["room", "delete", code]) == 1
    assert "--yes" in capsys.readouterr().err
    assert main(["room", "delete", code, "--yes"]) == 0
    assert "and its 3 answers" in capsys.readouterr().out
    assert main(["room", "export", code]) == 1
    assert f"No room has the code {code}" in capsys.readouterr().err
    assert main(["room", "export", "K7Q"]) == 1
    assert "Room codes have 6 characters" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_journal_export_writes_every_entry_to_a_private_file(tmp_path, monkeypatch, capsys, fmt):
    from rapport.store.database import journal_store

    monkeypatch.setenv("RAPPORT_JOURNAL_URL", f"sqlite:///{tmp_path / 'mine.sqlite3'}")
    monkeypatch.setenv("RAPPORT_LEARNER", "ana")
    store = journal_store()
    store.save_entry("ana", "05-listen", "rehearsing", "First entry & more")
    store.save_entry("ana", "06-common-ground", "surprise", "Second entry")
    store.save_entry("ben", "05-listen", "rehearsing", "Not mine")
    out = tmp_path / f"journal.{fmt}"
    assert main(["journal", "export", "--format", fmt, "--out", str(out)]) == 0
    assert "wrote 2 journal entries" in capsys.readouterr().out
    written = out.read_text()
    assert "Second entry" in written and "Not mine" not in written
    assert ("First entry & more" if fmt == "md" else "First entry &amp; more") in written
    assert out.stat().st_mode & 0o077 == 0
    assert main(["journal", "export", "--format", fmt, "--out", str(out)]) == 1


def test_handouts_command_writes_one_page_per_module_and_the_workbook(tmp_path, capsys):
    from rapport.content.loading import load_manifest

    assert main(["handouts", "--out", str(tmp_path), "--no-pdf"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    expected = sorted([f"{m}.html" for m in load_manifest().modules] + ["workbook.html"])
    assert names == expected
    assert "HTML only" in capsys.readouterr().out


def test_serve_keeps_spare_join_kernels_for_a_room_not_for_one_person(monkeypatch):
    from rapport.serving import serve as serving
    from rapport.serving.serve import WorkshopVoila, join_pools, pool_argv

    launched = []
    monkeypatch.setattr(
        serving.WorkshopVoila, "launch_instance", lambda argv: launched.append(argv)
    )
    for name in ("RAPPORT_IDENTITY", "RAPPORT_PUBLIC_URL", "VOILA_APP_IP", "JUPYTER_PATH"):
        monkeypatch.setenv(name, "")  # serve() sets these for its kernels: restored afterwards
    monkeypatch.setattr(serving, "_available_memory", lambda: 24_000.0)
    serving.serve(Path("/course"), host="127.0.0.1", port=9001)
    serving.serve(Path("/course"), host="0.0.0.0", port=9002)
    alone, room = launched
    assert "--VoilaConfiguration.preheat_kernel=True" not in alone
    assert f"--WorkshopVoila.join_pool={serving.ROOM_POOL}" in room
    assert serving.ROOM_POOL >= 30  # a room's worth, when the memory is there
    assert serving.default_pool(True, 24_000) == serving.ROOM_POOL
    assert serving.default_pool(True, 2_000) == 7  # a quarter of 2 GB, 70 MB each
    assert serving.default_pool(True, 100) == 0
    assert serving.default_pool(True, None) == serving.ROOM_POOL  # memory unknown
    assert serving.default_pool(False, 24_000) == 0  # one person on this computer
    for argv in launched:  # every page's kernel, pooled or not, on Unix sockets
        assert "--KernelManager.transport=ipc" in argv
        assert f"--VoilaExecutor.iopub_timeout={serving.IOPUB_TIMEOUT}" in argv

    assert pool_argv(0) == [] and "--VoilaConfiguration.preheat_kernel=True" not in voila_argv(
        Path("/course"), "127.0.0.1", 8866, open_browser=False
    )
    argv = voila_argv(Path("/course"), "0.0.0.0", 8866, open_browser=False, pool=12)
    assert "--VoilaConfiguration.preheat_kernel=True" in argv
    app = WorkshopVoila()
    app.parse_command_line([a for a in argv if a.startswith("--WorkshopVoila.")])
    app.configure_pools()
    assert app.config.VoilaKernelManager.kernel_pools_config == join_pools(12)
    assert join_pools(12) == {
        "default": {"pool_size": 0},
        "notebooks/join.ipynb": {"pool_size": 12},
    }
    assert build_parser().parse_args(["serve", "--pool", "30"]).pool == 30


def test_serve_forks_pages_kernels_from_a_fork_server_unless_told_not_to(monkeypatch):
    import os

    from rapport.serving import forking
    from rapport.serving import serve as serving

    sockets = []
    monkeypatch.setattr(
        serving.WorkshopVoila,
        "launch_instance",
        lambda argv: sockets.append(os.environ.get(forking.ENV_SOCKET)),
    )
    for name in ("RAPPORT_IDENTITY", "RAPPORT_PUBLIC_URL", "VOILA_APP_IP", "JUPYTER_PATH"):
        monkeypatch.setenv(name, "")
    serving.serve(Path("/course"), port=9003)
    serving.serve(Path("/course"), port=9004, fork=False)
    forked, fresh = sockets
    assert forked and forked.endswith(".sock") and fresh is None
    assert not os.path.exists(forked)  # stopped and cleaned up with the server
    assert forking.ENV_SOCKET not in os.environ

    asked = []
    monkeypatch.setattr(serving, "serve", lambda root, **kwargs: asked.append(kwargs["fork"]))
    assert main(["serve"]) == 0 and main(["serve", "--no-fork"]) == 0
    assert asked == [True, False]
