"""The store's tables (SQLAlchemy Core), and bringing a store made by an older version up to
date."""

from __future__ import annotations

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
    inspect,
    text,
)

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
    Column("seed", Text),  # the seed the options were shuffled with
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
_ADDED_COLUMNS = (("rooms", "state", "TEXT"), ("scenario_runs", "seed", "TEXT"))

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


def add_missing_columns(engine: Engine) -> None:
    """Bring a store made by an earlier version up to date, keeping every row."""
    inspector = inspect(engine)
    for table, column, sql_type in _ADDED_COLUMNS:
        present = {c["name"] for c in inspector.get_columns(table)}
        if column not in present:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
