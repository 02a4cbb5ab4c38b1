"""Store: SQLite by default, one transaction per write, WAL mode."""

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from rapport.errors import StoreUnavailable
from rapport.store.database import Store, default_url, get_store


@pytest.fixture
def store(any_store):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_store


def test_saving_creates_then_replaces_an_entry(store):
    first = store.save_entry("ana", "05-listen", "rehearsing", "first")
    second = store.save_entry("ana", "05-listen", "rehearsing", "second")
    assert second.text == "second"
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at
    assert [e.text for e in store.entries("ana")] == ["second"]


def test_entries_are_kept_per_learner_and_module(store):
    store.save_entry("ana", "05-listen", "a", "ana's")
    store.save_entry("ben", "05-listen", "a", "ben's")
    store.save_entry("ana", "04-open-up", "a", "elsewhere")
    assert store.entry("ana", "05-listen", "a").text == "ana's"
    assert store.entry("ben", "05-listen", "a").text == "ben's"
    assert [e.text for e in store.entries("ana", "05-listen")] == ["ana's"]
    assert len(store.entries("ana")) == 2


def test_deleting_removes_only_that_entry(store):
    store.save_entry("ana", "05-listen", "a", "one")
    store.save_entry("ana", "05-listen", "b", "two")
    assert store.delete_entry("ana", "05-listen", "a") is True
    assert store.delete_entry("ana", "05-listen", "a") is False
    assert [e.prompt for e in store.entries("ana")] == ["b"]


def test_entries_survive_a_new_store_on_the_same_file(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'j.sqlite3'}"
    Store(url).save_entry("ana", "05-listen", "a", "kept")
    assert Store(url).entry("ana", "05-listen", "a").text == "kept"


def test_sqlite_uses_wal_mode_and_creates_its_folder(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'new' / 'deeper' / 'r.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert (tmp_path / "new" / "deeper" / "r.sqlite3").exists()


def test_a_new_sqlite_store_is_readable_by_its_owner_alone(tmp_path: Path):
    """Reflections are private: other accounts on a shared machine cannot open the file, its
    write-ahead log or the folder made for it (whatever the umask)."""
    old_umask = os.umask(0o022)
    try:
        store = Store(f"sqlite:///{tmp_path / 'mine' / 'j.sqlite3'}")
        store.save_entry("ana", "05-listen", "a", "only mine")
    finally:
        os.umask(old_umask)
    folder = tmp_path / "mine"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["j.sqlite3", "j.sqlite3-shm", "j.sqlite3-wal"]
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == dict.fromkeys(
        ["j.sqlite3", "j.sqlite3-shm", "j.sqlite3-wal"], 0o600
    )


def test_an_existing_sqlite_file_keeps_its_mode_and_its_entries(tmp_path: Path):
    path = tmp_path / "shared.sqlite3"
    Store(f"sqlite:///{path}").save_entry("ana", "05-listen", "a", "kept")
    path.chmod(0o640)  # an administrator's choice
    assert Store(f"sqlite:///{path}").entry("ana", "05-listen", "a").text == "kept"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_store_in_a_folder_that_cannot_be_made_says_where(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable, match=r"a-file/j\.sqlite3 could not be opened"):
        Store(f"sqlite:///{blocker / 'j.sqlite3'}")


def test_scenario_runs_are_recorded(store):
    store.record_run("ana", "05-listen", "the-mixer", "connected", [1, 0, 0])
    [run] = store.runs("ana", "05-listen")
    assert (run.scenario, run.ending, run.path) == ("the-mixer", "connected", (1, 0, 0))
    assert store.runs("ben") == []


def test_the_default_is_a_file_in_the_user_data_dir(monkeypatch):
    monkeypatch.delenv("RAPPORT_DB_URL", raising=False)
    monkeypatch.delenv("RAPPORT_JOURNAL_URL", raising=False)
    url = default_url()
    assert url.startswith("sqlite:///") and url.endswith("rapport/rapport.sqlite3")


def test_rapport_db_url_points_the_store_anywhere(monkeypatch, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    monkeypatch.setenv("RAPPORT_DB_URL", url)
    assert default_url() == url
    assert get_store().url == url
    assert get_store() is get_store()


def test_assessment_answers_are_replaced_as_a_whole_per_phase(store):
    store.save_assessment("ana", "baseline", {"a": 1, "b": 2})
    store.save_assessment("ana", "baseline", {"a": 5})
    store.save_assessment("ana", "follow-up", {"a": 3})
    assert store.assessment("ana", "baseline") == {"a": 5}
    assert store.assessment("ana", "follow-up") == {"a": 3}
    assert store.assessment("ben", "baseline") == {}


def test_a_store_from_before_room_state_gains_the_column_and_keeps_its_rooms(tmp_path):
    import sqlite3

    from rapport.store.rooms import Rooms

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the rooms table as the first release made it
        db.execute(
            "CREATE TABLE rooms (code VARCHAR(7) PRIMARY KEY, module VARCHAR(80) NOT NULL, "
            "activity VARCHAR(80), phase VARCHAR(10) NOT NULL, created_at DATETIME NOT NULL, "
            "ended_at DATETIME)"
        )
        db.execute(
            "INSERT INTO rooms VALUES ('K7Q-4M2', '05-listen', NULL, 'closed', "
            "'2026-11-20 10:00:00', NULL)"
        )
    rooms = Rooms(Store(f"sqlite:///{path}"))
    assert rooms.get("K7Q-4M2").state == {}
    assert rooms.start_timer("K7Q-4M2", 2).state["timer"]
