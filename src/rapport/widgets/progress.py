"""ProgressView: where the learner is in the course, and where to carry on."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from rapport.course.progress import continue_with as pick_next
from rapport.errors import StoreUnavailable
from rapport.render.html import inline, notice
from rapport.store.journal import Journal
from rapport.widgets._html import button, html, style, wide

CHECKED_LABELS = ("did it", "partly", "not yet", "accepted")


class ProgressView(w.VBox):
    """Where the learner is in the course: a table, a bar per module and where to continue."""

    def __init__(self, journal: Callable[[], Journal]):
        self._journal = journal
        self.view = html()
        self.refresh_button = button("Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([style(), self.view, self.refresh_button], layout=wide())
        self.add_class("rp-box")
        self.refresh()

    def __repr__(self) -> str:
        return "ProgressView()"

    def refresh(self) -> None:
        try:
            rows = self._journal().progress()
        except (StoreUnavailable, ValueError):
            self.view.value = notice("error", "Your progress could not be read just now.")
            return
        done = sum(r.state == "done" for r in rows)
        body = "".join(
            "<tr>"
            f'<th scope="row">{inline(r["module"])}</th>'
            f"<td>{r['role-plays']}</td><td>{r['reflections']}</td>"
            f"<td>{inline(r['challenge'])}</td>"
            f'<td><span class="rp-bar" aria-hidden="true"><span class="rp-bar-fill rp-bar-1" '
            f'style="width:{row.share}%"></span></span> {r["state"]}</td>'
            "</tr>"
            for r, row in ((row.cells(), row) for row in rows)
        )
        nxt = pick_next(rows)
        where = (
            f'<p><b>Continue where you left off:</b> <a href="{escape(nxt.module)}.ipynb">'
            f"{inline(nxt.label)}</a></p>"
            if nxt
            else "<p><b>You have been through every module.</b> Come back to any of them.</p>"
        )
        tried = [r for r in rows if r.challenge]
        counts = {label: sum(r.challenge == label for r in tried) for label in CHECKED_LABELS}
        challenges = (
            f"<p>Practice challenges taken on: <b>{len(tried)}</b> (did it: {counts['did it']}, "
            f"partly: {counts['partly']}, not yet: {counts['not yet']}, no check-in yet: "
            f"{counts['accepted']}).</p>"
            if tried
            else "<p>No practice challenges taken on yet.</p>"
        )
        self.view.value = (
            f'<div class="rp-card">{where}{challenges}<table class="rp-scores">'
            f"<caption>Your progress: {done} of {len(rows)} modules done</caption>"
            "<thead><tr><th>Module</th><th>Role-plays</th><th>Reflections</th>"
            "<th>Challenge</th><th>Progress</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
            '<p class="rp-note">A module is done when its role-plays are played through and its '
            "challenge is accepted. Reflections are always optional.</p></div>"
        )
