"""The local help services a facilitator enters once, kept in the store's settings table.

The support slide of a deck lists them (a helpline, a counselling service, the emergency
number). They are written as plain lines, ``Name: how to reach them``, from a file
(``rapport support --set FILE``) or the presenter view's small form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rapport.errors import RapportError
from rapport.store.database import Store

SETTING = "support_services"
MAX_SERVICES = 8  # what fits on one slide at a size the back of the room can read
MAX_NAME = 60
MAX_CONTACT = 160
EXAMPLE = "Samaritans: call 116 123, free, day or night"


class SupportError(RapportError, ValueError):
    """Support services that cannot be kept as written; the message says which line and why."""


@dataclass(frozen=True)
class Service:
    """One local help service: its name, and how to reach it."""

    name: str
    contact: str

    def line(self) -> str:
        return f"{self.name}: {self.contact}"


def parse_services(text: str) -> list[Service]:
    """Services from lines ``Name: how to reach them``; blank lines and ``#`` comments are
    skipped. Raises SupportError naming the first line that cannot be used."""
    services = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = " ".join(raw.split())
        if not line or line.startswith("#"):
            continue
        name, sep, contact = (part.strip() for part in line.partition(":"))
        if not sep or not name or not contact:
            raise SupportError(
                f"Line {number} ({line[:40]!r}) needs a name, a colon and how to reach the "
                f"service, for example {EXAMPLE!r}."
            )
        if len(name) > MAX_NAME or len(contact) > MAX_CONTACT:
            raise SupportError(
                f"Line {number} is too long for a slide: keep the name to {MAX_NAME} "
                f"characters and how to reach it to {MAX_CONTACT}."
            )
        services.append(Service(name, contact))
    if len(services) > MAX_SERVICES:
        raise SupportError(
            f"{len(services)} services will not fit on one slide; keep the {MAX_SERVICES} "
            "most useful ones."
        )
    return services


def support_services(store: Store) -> list[Service]:
    """The services the facilitator entered (none yet: an empty list)."""
    stored = store.setting(SETTING)
    if not stored:
        return []
    return [Service(item["name"], item["contact"]) for item in json.loads(stored)]


def set_support_services(store: Store, services: list[Service]) -> None:
    """Keep ``services`` (an empty list clears them)."""
    items = [{"name": s.name, "contact": s.contact} for s in services]
    store.set_setting(SETTING, json.dumps(items) if items else "")
