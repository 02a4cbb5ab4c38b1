"""Persist journals and scenario results with SQLAlchemy Core (SQLite by default)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

ENV_URL = "RAPPORT_DB_URL"
ENV_JOURNAL_URL = "RAPPORT_JOURNAL_URL"
CHECK_INS = ("did", "partly", "not-yet")
BUSY_TIMEOUT_MS = 10_000

metadata = MetaData()

journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(80), nullable=False),
    Column("module", String(80), nullable=False),
    Column("prompt", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("learner", "module", "prompt", name="uq_journal_entry"),
)

scenario_runs = Table(
    "scenario_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(80), nullable=False, index=True),
    Column("module", String(80), nullable=False),
    Column("scenario", String(80), nullable=False),
    Column("ending", String(80), nullable=False),
    Column("path", Text, nullable=False),  # JSON list of the choice indexes taken
    Column("finished_at", DateTime(timezone=True), nullable=False),
)


assessment_answers = Table(
    "assessment_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(80), nullable=False),
    Column("phase", String(20), nullable=False),  # "baseline" or "follow-up"
    Column("item", String(80), nullable=False),
    Column("answer", Integer, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("learner", "phase", "item", name="uq_assessment_answer"),
)


# Practice challenges a learner accepted, and how the latest check-in went.
challenges = Table(
    "challenges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(80), nullable=False),
    Column("module", String(80), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    Column("status", String(10)),  # did, partly, not-yet (None before the first check-in)
    Column("checked_at", DateTime(timezone=True)),
    UniqueConstraint("learner", "module", name="uq_challenge"),
)

# The live room. Participants are known only by a hash of the random token in their browser.
rooms = Table(
    "rooms",
    metadata,
    Column("code", String(7), primary_key=True),
    Column("module", String(80), nullable=False),
    Column("activity", String(80)),  # the activity on screen now, if any
    Column("phase", String(10), nullable=False, default="closed"),  # closed, open or revealed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("state", Text),  # JSON: timer, agenda position, room role-play
)

# Server-wide settings, such as the digest of the facilitator key.
settings = Table(
    "settings",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

# Columns added after a table first shipped: (table, column, SQL type), added when missing.
_ADDED_COLUMNS = (("rooms", "state", "TEXT"),)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room", String(7), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("nickname", String(40)),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("room", "token_hash", name="uq_participant"),
)

room_answers = Table(
    "room_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room", String(7), nullable=False, index=True),
    Column("activity", String(80), nullable=False),
    Column("participant", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("room", "activity", "participant", name="uq_room_answer"),
)


@dataclass(frozen=True)
class Entry:
    """One saved journal answer."""

    learner: str
    module: str
    prompt: str
    text: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Challenge:
    """A practice challenge the learner took on, and its latest check-in."""

    module: str
    accepted_at: datetime
    status: str | None
    checked_at: datetime | None


@dataclass(frozen=True)
class Run:
    """One finished play-through of a scenario."""

    module: str
    scenario: str
    ending: str
    path: tuple[int, ...]
    finished_at: datetime


def default_url() -> str:
    """``RAPPORT_DB_URL`` if set, else one SQLite file in the user's data directory."""
    return os.environ.get(ENV_URL) or personal_url()


def personal_url() -> str:
    """The learner's own store: ``RAPPORT_JOURNAL_URL``, else their user data directory."""
    if url := os.environ.get(ENV_JOURNAL_URL):
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


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


class Store:
    """The workshop's database. Every write is one transaction."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        metadata.create_all(self.engine)
        _add_missing_columns(self.engine)

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
                select(settings.c.value).where(settings.c.name == name)
            ).scalar_one_or_none()

    def set_setting(self, name: str, value: str) -> None:
        if not upsert(
            self.engine, settings, settings.c.name == name, {"value": value}, {"name": name}
        ):
            raise OSError("the store stayed busy; the setting was not changed")

    # -- journal ------------------------------------------------------------------
    def save_entry(self, learner: str, module: str, prompt: str, text: str) -> Entry:
        """Create or replace the learner's answer to one prompt."""
        now = utc_now()
        key = (
            (journal.c.learner == learner)
            & (journal.c.module == module)
            & (journal.c.prompt == prompt)
        )
        new = {"learner": learner, "module": module, "prompt": prompt, "created_at": now}
        if not upsert(self.engine, journal, key, {"text": text, "updated_at": now}, new):
            raise OSError("the journal stayed busy; nothing was changed")
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

    # -- scenarios ------------------------------------------------------------------
    def record_run(
        self,
        learner: str,
        module: str,
        scenario: str,
        ending: str,
        path: list[int] | tuple[int, ...],
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                scenario_runs.insert().values(
                    learner=learner,
                    module=module,
                    scenario=scenario,
                    ending=ending,
                    path=json.dumps(list(path)),
                    finished_at=utc_now(),
                )
            )

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


def _add_missing_columns(engine: Engine) -> None:
    """Bring a store made by an earlier version up to date, keeping every row."""
    inspector = inspect(engine)
    for table, column, sql_type in _ADDED_COLUMNS:
        present = {c["name"] for c in inspector.get_columns(table)}
        if column not in present:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


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
    from rapport.learner import per_browser

    return get_store() if per_browser() else get_store(personal_url())


def get_store(url: str | None = None) -> Store:
    """The shared Store for ``url`` (default: :func:`default_url`), created on first use."""
    url = url or default_url()
    with _lock:
        if url not in _stores:
            _stores[url] = Store(url)
        return _stores[url]
