"""The rapport command: sync, new and serve's arguments (check is in test_check.py)."""

import shutil
from pathlib import Path

import nbformat

from rapport.cli import build_parser, main
from rapport.serve import voila_argv

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


def test_serving_beyond_this_computer_is_refused_to_keep_journals_private(capsys):
    assert main(["serve", "--host", "0.0.0.0", "--port", "8999"]) == 2
    assert "serves only this computer for now (0.0.0.0 was asked for)" in capsys.readouterr().err
