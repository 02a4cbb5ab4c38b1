"""Agendas: timings computed from the modules, limits enforced, the Markdown kept in step."""

import shutil
from pathlib import Path

import pytest

from rapport.content.agenda import (
    AGENDAS,
    agendas_markdown,
    check_agendas,
    load_agendas,
    partition,
    sessions,
    write_agendas,
)
from rapport.content.loading import load_manifest, load_module

from ..conftest import ROOT

ORDER = load_manifest(ROOT).modules
MODULES = {m: load_module(m, ROOT) for m in ORDER}


def formats():
    return load_agendas(ROOT).formats


def test_shipped_agendas_fit_their_limits_and_the_markdown_is_in_step():
    assert check_agendas(ROOT) == []
    assert (ROOT / "facilitator/agendas.md").read_text() == agendas_markdown(ROOT)


@pytest.mark.parametrize(("key", "limit"), [("taster", 90), ("half-day", 210), ("full-day", 420)])
def test_single_session_formats_fit(key, limit):
    [session] = sessions(formats()[key], MODULES, ORDER)
    assert session.minutes <= limit
    assert session.minutes == sum(s.minutes for s in session.slots)


def test_times_follow_from_the_modules_minutes():
    [session] = sessions(formats()["taster"], MODULES, ORDER)
    welcome, listen, closing = session.slots
    assert welcome.minutes == MODULES["00-welcome"].minutes.teaching
    assert listen.minutes == MODULES["05-listen"].minutes.total
    assert (listen.start, closing.start) == (welcome.minutes, welcome.minutes + listen.minutes)


def test_the_series_covers_every_module_in_order_over_six_weeks():
    weeks = sessions(formats()["series"], MODULES, ORDER)
    assert len(weeks) == 6
    assert [s.module for week in weeks for s in week.slots] == ORDER
    assert max(week.minutes for week in weeks) <= formats()["series"].limit


def test_partition_minimises_the_longest_run():
    assert partition([10, 10, 10, 10], 2) == [(0, 2), (2, 4)]
    assert partition([30, 10, 10, 10], 2) == [(0, 1), (1, 4)]
    with pytest.raises(ValueError, match="cannot split 2 modules into 3 sessions"):
        partition([1, 2], 3)


def test_a_session_over_its_limit_is_reported(tmp_path: Path):
    root = tmp_path / "course"
    for folder in ("exercises", "notebooks", "facilitator"):
        shutil.copytree(ROOT / folder, root / folder)
    agendas = root / AGENDAS
    agendas.write_text(agendas.read_text().replace("limit: 90", "limit: 60"))
    write_agendas(root)
    assert check_agendas(root) == ["taster: 90-minute taster takes 85 minutes; the limit is 60"]


def test_changed_minutes_make_the_markdown_stale_until_synced(tmp_path: Path):
    root = tmp_path / "course"
    for folder in ("exercises", "notebooks", "facilitator"):
        shutil.copytree(ROOT / folder, root / folder)
    listen = root / "exercises/05-listen.yaml"
    listen.write_text(listen.read_text().replace("teaching: 20", "teaching: 15"))
    assert check_agendas(root) == ["facilitator/agendas.md is out of date; run `rapport sync`"]
    assert write_agendas(root) is True
    assert check_agendas(root) == []
    assert (
        "| 0:15 | 55 | 05 · Listen to understand |" in (root / "facilitator/agendas.md").read_text()
    )
