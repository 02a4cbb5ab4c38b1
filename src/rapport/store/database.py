"""The store: one database (SQLite by default) and every query on a learner's private records.

Every write is one transaction. A database that cannot be reached, or stays busy, leaves here
as :class:`rapport.errors.StoreUnavailable`: nothing above this package sees SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, create_engine, delete, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from rapport import settings
from rapport.course.records import CHECK_INS, Challenge, Entry, LearnerRecords, Run
from rapport.errors import StoreUnavailable
from rapport.store.tables import (
    add_missing_columns,
    assessment_answers,
    challenges,
    journal,
    metadata,
    scenario_runs,
)
from rapport.store.tables import settings as settings_table

BUSY_TIMEOUT_MS = 10_000
# The PostgreSQL advisory lock held while the tables are created (any number, ours alone).
SCHEMA_LOCK = 0x52415050
F = TypeVar("F", bound=Callable[..., Any])


def guarded(method: F) -> F:
    """Let a database failure out of ``method`` only as :class:`StoreUnavailable`."""

    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as err:
            raise StoreUnavailable() from err

    return call  # type: ignore[return-value]


def guard_public_methods(cls: type) -> type:
    """Apply :func:`guarded` to every public method of a store class."""
    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, guarded(value))
    return cls


def default_url() -> str:
    """``RAPPORT_DB_URL`` if set, else one SQLite file in the user's data directory."""
    return settings.db_url() or personal_url()


def personal_url() -> str:
    """The learner's own store: ``RAPPORT_JOURNAL_URL``, else their user data directory."""
    if url := settings.journal_url():
        return url
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('rapport', appauthor=False)) / 'rapport.sqlite3'}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_private(path: Path) -> None:
    """Create a new SQLite file readable by its owner alone (0600), in a folder made 0700 if
    it is new. Reflections are private: on a shared machine other accounts must not read them.
    SQLite gives its -wal and -shm files the same mode. An existing file is left as it is."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Already there, or another kernel created it just now: an empty file is a valid, empty
    # SQLite database, so either way it opens.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database).expanduser())
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def upsert(
    engine: Engine, table: Table, where, changes: dict, new: dict, attempts: int = 3
) -> bool:
    """Update the row matching ``where``, or insert ``new | changes``, in one transaction.

    A concurrent insert of the same row (two tabs, two clicks) makes ours fail on the unique
    constraint; we then try again, and update the row that won. False if it never settled.
    """
    for _attempt in range(attempts):
        try:
            with engine.begin() as conn:
                if not conn.execute(update(table).where(where).values(**changes)).rowcount:
                    conn.execute(table.insert().values(**new, **changes))
            return True
        except IntegrityError:
            continue
    return False


@guard_public_methods
class Store:
    """The workshop's database: settings and each learner's private records."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        try:
            self.engine = make_engine(self.url)
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # Several servers (and their kernels) can open a new database at once:
                    # without the lock two of them create the same table and one fails.
                    conn.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))
                metadata.create_all(conn)
            add_missing_columns(self.engine)
        except (SQLAlchemyError, OSError) as err:
            where = make_url(self.url).render_as_string(hide_password=True)
            raise StoreUnavailable(f"The store at {where} could not be opened.") from err

    def _learner_rows(self, table: Table, learner: str, module: str | None, *order) -> list:
        """One learner's rows of ``table`` (of one module, if given), in ``order``."""
        query = select(table).where(table.c.learner == learner)
        if module is not None:
            query = query.where(table.c.module == module)
        with self.engine.connect() as conn:
            return conn.execute(query.order_by(*order)).mappings().all()

    # -- settings -------------------------------------------------------------------
    def setting(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(settings_table.c.value).where(settings_table.c.name == name)
            ).scalar_one_or_none()

    def set_setting(self, name: str, value: str) -> None:
        where = settings_table.c.name == name
        if not upsert(self.engine, settings_table, where, {"value": value}, {"name": name}):
            raise StoreUnavailable("The store stayed busy; the setting was not changed.")

    # -- journal ------------------------------------------------------------------
    def save_entry(self, learner: str, module: str, prompt: str, text: str) -> Entry:
        """Create or replace the learner's answer to one prompt (as given: see Journal)."""
        now = utc_now()
        key = (
            (journal.c.learner == learner)
            & (journal.c.module == module)
            & (journal.c.prompt == prompt)
        )
        new = {"learner": learner, "module": module, "prompt": prompt, "created_at": now}
        if not upsert(self.engine, journal, key, {"text": text, "updated_at": now}, new):
            raise StoreUnavailable("The journal stayed busy; nothing was changed.")
        entry = self.entry(learner, module, prompt)
        assert entry is not None
        return entry

    def entry(self, learner: str, module: str, prompt: str) -> Entry | None:
        query = select(journal).where(
            (journal.c.learner == learner)
            & (journal.c.module == module)
            & (journal.c.prompt == prompt)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _entry(row) if row else None

    def entries(self, learner: str, module: str | None = None) -> list[Entry]:
        rows = self._learner_rows(journal, learner, module, journal.c.module, journal.c.id)
        return [_entry(row) for row in rows]

    def delete_entry(self, learner: str, module: str, prompt: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(journal).where(
                    (journal.c.learner == learner)
                    & (journal.c.module == module)
                    & (journal.c.prompt == prompt)
                )
            )
        return bool(result.rowcount)

    # -- practice challenges ------------------------------------------------------------
    def accept_challenge(self, learner: str, module: str) -> Challenge:
        """Take on a module's challenge (accepting again keeps the first date)."""
        if self.challenge(learner, module) is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        challenges.insert().values(
                            learner=learner, module=module, accepted_at=utc_now()
                        )
                    )
            except IntegrityError:
                pass  # accepted at the same moment in another tab: that row stands
        found = self.challenge(learner, module)
        assert found is not None
        return found

    def check_in(self, learner: str, module: str, status: str) -> Challenge:
        """Record how the challenge went (``did``, ``partly`` or ``not-yet``)."""
        if status not in CHECK_INS:
            raise ValueError(f"status must be one of {', '.join(CHECK_INS)}")
        self.accept_challenge(learner, module)
        with self.engine.begin() as conn:
            conn.execute(
                update(challenges)
                .where((challenges.c.learner == learner) & (challenges.c.module == module))
                .values(status=status, checked_at=utc_now())
            )
        found = self.challenge(learner, module)
        assert found is not None
        return found

    def challenge(self, learner: str, module: str) -> Challenge | None:
        found = self.challenges(learner, module)
        return found[0] if found else None

    def challenges(self, learner: str, module: str | None = None) -> list[Challenge]:
        rows = self._learner_rows(challenges, learner, module, challenges.c.module)
        return [
            Challenge(
                r["module"],
                as_utc(r["accepted_at"]),
                r["status"],
                as_utc(r["checked_at"]) if r["checked_at"] else None,
            )
            for r in rows
        ]

    # -- everything of one learner ------------------------------------------------------
    def delete_learner(self, learner: str) -> int:
        """Delete every row the learner has (journal, role-plays, self-assessment, challenges)."""
        gone = 0
        with self.engine.begin() as conn:
            for table in (journal, scenario_runs, assessment_answers, challenges):
                gone += conn.execute(delete(table).where(table.c.learner == learner)).rowcount
        return gone

    def records(self, learner: str) -> LearnerRecords:
        """Everything of one learner that their progress is worked out from."""
        phases = select(assessment_answers.c.phase).where(assessment_answers.c.learner == learner)
        with self.engine.connect() as conn:
            assessed = frozenset(conn.execute(phases.distinct()).scalars())
        return LearnerRecords(
            entries=tuple(self.entries(learner)),
            runs=tuple(self.runs(learner)),
            challenges=tuple(self.challenges(learner)),
            assessed=assessed,
        )

    # -- scenarios ------------------------------------------------------------------
    def record_run(
        self,
        learner: str,
        module: str,
        scenario: str,
        ending: str,
        path: list[int] | tuple[int, ...],
        seed: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                scenario_runs.insert().values(
                    learner=learner,
                    module=module,
                    scenario=scenario,
                    ending=ending,
                    path=json.dumps(list(path)),
                    seed=seed,
                    finished_at=utc_now(),
                )
            )

    def runs(self, learner: str, module: str | None = None) -> list[Run]:
        rows = self._learner_rows(scenario_runs, learner, module, scenario_runs.c.id)
        return [
            Run(
                r["module"],
                r["scenario"],
                r["ending"],
                tuple(json.loads(r["path"])),
                as_utc(r["finished_at"]),
            )
            for r in rows
        ]

    # -- self-assessment ------------------------------------------------------------
    def save_assessment(self, learner: str, phase: str, answers: dict[str, int]) -> None:
        """Replace the learner's answers for one phase, all in one transaction."""
        now = utc_now()
        where = (assessment_answers.c.learner == learner) & (assessment_answers.c.phase == phase)
        with self.engine.begin() as conn:
            conn.execute(delete(assessment_answers).where(where))
            if answers:
                conn.execute(
                    assessment_answers.insert(),
                    [
                        {
                            "learner": learner,
                            "phase": phase,
                            "item": item,
                            "answer": answer,
                            "answered_at": now,
                        }
                        for item, answer in answers.items()
                    ],
                )

    def assessment(self, learner: str, phase: str) -> dict[str, int]:
        where = (assessment_answers.c.learner == learner) & (assessment_answers.c.phase == phase)
        query = select(assessment_answers.c.item, assessment_answers.c.answer).where(where)
        with self.engine.connect() as conn:
            return {item: answer for item, answer in conn.execute(query)}


def _entry(row) -> Entry:
    return Entry(
        learner=row["learner"],
        module=row["module"],
        prompt=row["prompt"],
        text=row["text"],
        created_at=as_utc(row["created_at"]),
        updated_at=as_utc(row["updated_at"]),
    )


_stores: dict[str, Store] = {}
_lock = threading.Lock()


def journal_store() -> Store:
    """Where the current learner's private data lives.

    Served per browser (a live room), journals are on the server, keyed per browser. Anywhere
    else (JupyterLab, or Voila on one's own computer) they stay in the learner's own store,
    even when ``RAPPORT_DB_URL`` points the rooms at a shared PostgreSQL.
    """
    return get_store() if settings.per_browser() else get_store(personal_url())


def get_store(url: str | None = None) -> Store:
    """The shared Store for ``url`` (default: :func:`default_url`), created on first use."""
    url = url or default_url()
    with _lock:
        if url not in _stores:
            _stores[url] = Store(url)
        return _stores[url]
