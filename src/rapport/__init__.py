"""Rapport: an interactive workshop on building real human connection.

This is the facade the notebooks call, one line each:

- ``open_module("05-listen")``: a module's lesson, which hands out its widgets;
- ``my_journal()``: the journal page;
- ``join_page()``: a participant's page in a live room;
- ``dashboard()``: the facilitator's dashboard.

The names load on first use (PEP 562), so a page imports only what it shows, and
``import rapport.serving.kernel`` does not pull in the whole package. The layers beneath are
described in the README ("What is inside").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport._lazy import lazy_exports

__version__ = "0.1.0"

_HOME = {
    "ContentError": "rapport.content.loading",
    "Journal": "rapport.store.journal",
    "Lesson": "rapport.pages.lesson",
    "dashboard": "rapport.pages.live",
    "join_page": "rapport.pages.live",
    "load_manifest": "rapport.content.loading",
    "load_module": "rapport.content.loading",
    "my_journal": "rapport.pages.lesson",
    "open_module": "rapport.pages.lesson",
}
__all__ = [
    "ContentError",
    "Journal",
    "Lesson",
    "dashboard",
    "join_page",
    "load_manifest",
    "load_module",
    "my_journal",
    "open_module",
]

if TYPE_CHECKING:
    from rapport.content.loading import ContentError, load_manifest, load_module
    from rapport.pages.lesson import Lesson, my_journal, open_module
    from rapport.pages.live import dashboard, join_page
    from rapport.store.journal import Journal

__getattr__, __dir__ = lazy_exports(__name__, _HOME)
