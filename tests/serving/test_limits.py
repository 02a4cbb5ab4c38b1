"""rapport serve's limits: the cap worked out from the memory, the flags and their checks, and
the page a visitor sees past a limit."""

from __future__ import annotations

import re

import pytest

from rapport.cli import build_parser, main
from rapport.serving.limits import (
    BadLimits,
    Limits,
    default_max_kernels,
    fit_pool,
    refusal,
)


def test_the_cap_fits_three_quarters_of_the_free_memory_and_always_the_pool():
    assert default_max_kernels(24_000, 30) == 257  # 18 GB at 70 MB a kernel
    assert default_max_kernels(1_000, 30) == 32  # the pool and two pages, whatever the memory
    assert default_max_kernels(100, 0) == 2
    assert default_max_kernels(None, 0) == 100  # memory unknown


def test_a_default_pool_shrinks_under_a_small_cap_and_a_given_one_is_checked():
    assert fit_pool(30, 20, pool_given=False) == 10
    assert fit_pool(5, 20, pool_given=True) == 5
    with pytest.raises(BadLimits, match=r"--pool 20 would take every one of the 20 kernels"):
        fit_pool(20, 20, pool_given=True)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-kernels", "1"], "1 kernels would leave no room for a participant"),
        (["--max-kernels", "lots"], "'lots' is not a whole number of kernels"),
        (["--max-per-browser", "0"], "0 pages per browser would refuse everyone"),
        (["--cull-unconnected", "3"], "3 seconds is too short"),
        (["--cull-unconnected", "nan"], "nan seconds is too short"),
        (["--cull-idle", "-1"], "-1 is not a usable number of minutes"),
        (["--cull-idle", "soon"], "'soon' is not a number of minutes"),
    ],
)
def test_bad_limits_on_the_command_line_say_what_to_give(flags, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["serve", *flags])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flags[0]}: {message}" in err


def test_the_limits_flags_have_room_sized_defaults():
    args = build_parser().parse_args(["serve"])
    assert (args.max_kernels, args.max_per_browser) == (None, 6)
    assert (args.cull_unconnected, args.cull_idle) == (60, 10)
    args = build_parser().parse_args(
        ["serve", "--max-kernels", "40", "--cull-unconnected", "15", "--cull-idle", "0"]
    )
    assert (args.max_kernels, args.cull_unconnected, args.cull_idle) == (40, 15, 0)


@pytest.fixture
def launched(monkeypatch, tmp_path) -> list[list[str]]:
    """rapport serve up to Voila's start: the argv it would start Voila with."""
    from rapport.serving import serve as serving

    argvs: list[list[str]] = []
    monkeypatch.setattr(serving.WorkshopVoila, "launch_instance", lambda argv: argvs.append(argv))
    monkeypatch.setattr(serving, "_available_memory", lambda: 7_000.0)
    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'rooms.sqlite3'}")
    for name in ("RAPPORT_IDENTITY", "RAPPORT_PUBLIC_URL", "VOILA_APP_IP", "JUPYTER_PATH"):
        monkeypatch.setenv(name, "")  # serve() sets these for its kernels: restored afterwards
    return argvs


def test_serve_hands_the_limits_to_its_kernel_manager_and_prints_them(launched, capsys):
    assert main(["serve", "--no-fork", "--max-kernels", "9", "--cull-idle", "0.5"]) == 0
    argv = launched[0]
    manager = "--VoilaConfiguration.multi_kernel_manager_class="
    assert f"{manager}rapport.serving.kernels.WorkshopKernelManager" in argv
    assert "--WorkshopKernelManager.max_kernels=9" in argv
    assert "--WorkshopKernelManager.max_per_browser=6" in argv
    assert "--WorkshopKernelManager.cull_unconnected=60.0" in argv
    assert "--WorkshopKernelManager.cull_idle=30.0" in argv
    assert any(re.fullmatch(r"--WorkshopVoila.facilitator_digest=[0-9a-f]{64}", a) for a in argv)
    out = capsys.readouterr().out
    assert "Pages open at most:     9 (--max-kernels N changes it)" in out
    assert "Pages disconnected:     closed after 0.5 min" in out


def test_serve_works_the_cap_out_from_the_memory_and_refuses_a_pool_that_fills_it(launched, capsys):
    assert main(["serve", "--no-fork"]) == 0
    assert "--WorkshopKernelManager.max_kernels=75" in launched[0]  # 7 GB free
    assert "Pages open at most:     75, from the free memory" in capsys.readouterr().out
    assert main(["serve", "--no-fork", "--pool", "8", "--max-kernels", "8"]) == 2
    assert "--pool 8 would take every one of the 8 kernels" in capsys.readouterr().err
    assert len(launched) == 1


@pytest.mark.parametrize("status", [503, 429])
def test_a_refusal_page_is_short_accessible_and_self_contained(status):
    page = refusal(status, 6, '/voila/render/notebooks/05-listen.ipynb?x="><b>')
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<main>" in page and page.count("<h1>") == 1
    heading = re.search(r"<h1>(.*)</h1>", page).group(1)
    expected = {503: "The workshop is full right now", 429: "You have many pages open"}
    assert heading == expected[status]
    assert "try again" in page.lower() and "Nothing you saved is lost." in page
    assert 'href="/voila/render/notebooks/05-listen.ipynb?x=&quot;&gt;&lt;b&gt;"' in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from another host
    assert "<script" not in page and "<link" not in page
    if status == 429:
        assert "already has 6 workshop pages open" in page


def test_the_full_page_tells_a_facilitator_how_to_get_in():
    assert "open the dashboard with its key" in refusal(503, 5, "/facilitator", dashboard=True)
    assert "dashboard" not in refusal(503, 5, "/join")


def test_the_banner_names_every_flag():
    lines = "\n".join(Limits(12, 3, 20, 0).banner())
    for flag in ("--max-kernels", "--max-per-browser", "--cull-unconnected", "--cull-idle"):
        assert flag in lines
    assert "kept while the server runs" in lines
