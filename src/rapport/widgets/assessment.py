"""The self-assessment form and the chart comparing baseline with follow-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as w

from rapport.content.schema import Assessment
from rapport.course.scoring import IncompleteAnswers, check_complete, compare, principle_scores
from rapport.errors import StoreUnavailable
from rapport.render.html import inline, text
from rapport.widgets._html import html, style

if TYPE_CHECKING:  # pandas loads on first use, so kernels start light
    import pandas as pd

UNAVAILABLE = "Your answers could not be saved just now; they are still selected. Try again."


class SelfAssessmentForm(w.VBox):
    """Rate each statement 1-5, save, and see a score per principle."""

    def __init__(
        self,
        assessment: Assessment,
        phase: str,
        titles: dict[str, str],
        load: Callable[[], dict[str, int]],
        save: Callable[[dict[str, int]], None],
    ):
        self.assessment = assessment
        self.phase = phase
        self.titles = titles
        self._save = save
        self.saved_callbacks: list[Callable[[], None]] = []
        # Two dozen rows look alike and never change their look, so they share one layout and
        # one style model each: a third of the widget models the page would otherwise load.
        # (Their statements are HTML widgets, which share theirs with every page's.)
        row_layout, button_style = (
            w.Layout(flex_flow="row wrap"),
            w.ToggleButtonsStyle(button_width="auto"),
        )
        self.questions = [
            w.ToggleButtons(
                options=[(label, n) for n, label in enumerate(assessment.scale, start=1)],
                value=None,
                tooltips=list(assessment.scale),
                style=button_style,
                layout=row_layout,
            )
            for _ in assessment.items
        ]
        rows = []
        for number, (item, question) in enumerate(
            zip(assessment.items, self.questions, strict=True), 1
        ):
            rows += [
                html(f'<p class="rp-item"><b>{number}.</b> {inline(item.text)}</p>'),
                question,
            ]
        self.save_button = w.Button(
            description="Save my answers", button_style="primary", icon="check"
        )
        self.save_button.on_click(lambda _: self.submit())
        self.status = w.HTML()
        self.results = w.HTML()
        super().__init__(
            [
                style(),
                w.HTML(f'<div class="rp-card">{text(assessment.note)}</div>'),
                *rows,
                self.save_button,
                self.status,
                self.results,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-box")
        try:
            saved = load()
        except StoreUnavailable:
            saved = {}
            self.status.value = (
                '<p class="rp-error" role="alert">Your earlier answers could not be loaded.</p>'
            )
        for item, question in zip(assessment.items, self.questions, strict=True):
            if saved.get(item.id) in range(1, 6):
                question.value = saved[item.id]
        if saved:
            self._show_results()

    def __repr__(self) -> str:
        return f"SelfAssessmentForm({self.phase!r})"

    @property
    def answers(self) -> dict[str, int]:
        return {
            item.id: q.value
            for item, q in zip(self.assessment.items, self.questions, strict=True)
            if q.value is not None
        }

    def submit(self) -> bool:
        try:
            check_complete(self.assessment, self.answers)
        except IncompleteAnswers as err:
            self.status.value = (
                f'<p class="rp-error" role="alert">{inline(str(err))} Nothing was saved yet.</p>'
            )
            return False
        try:
            self._save(self.answers)
        except StoreUnavailable:
            self.status.value = f'<p class="rp-error" role="alert">{UNAVAILABLE}</p>'
            return False
        self.status.value = (
            '<p class="rp-ok" role="status">Saved. Only you can see these answers.</p>'
        )
        self._show_results()
        for callback in self.saved_callbacks:
            callback()
        return True

    def _show_results(self) -> None:
        import pandas as pd

        scores = principle_scores(self.assessment, self.answers)
        table = pd.DataFrame({"score": scores})
        self.results.value = score_table_html(
            table, self.titles, ["score"], {"score": "Your score"}
        )


class AssessmentComparison(w.VBox):
    """Baseline against follow-up, per principle, as a paired bar chart."""

    def __init__(
        self, assessment: Assessment, titles: dict[str, str], load: Callable[[str], dict[str, int]]
    ):
        self.assessment = assessment
        self.titles = titles
        self._load = load
        self.chart = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([style(), self.chart, self.refresh_button], layout=w.Layout(width="100%"))
        self.add_class("rp-box")
        self.refresh()

    def __repr__(self) -> str:
        return "AssessmentComparison()"

    def refresh(self) -> None:
        try:
            baseline, follow_up = self._load("baseline"), self._load("follow-up")
        except StoreUnavailable:
            self.chart.value = (
                '<p class="rp-error" role="alert">Your answers could not be loaded just now.</p>'
            )
            return
        if not baseline or not follow_up:
            missing = "the welcome module (00)" if not baseline else "the form above"
            self.chart.value = (
                f'<p class="rp-note">To compare, answer the self-assessment in {missing}. '
                "Your chart will appear here.</p>"
            )
            return
        table = compare(self.assessment, baseline, follow_up)
        self.table = table
        self.chart.value = score_table_html(
            table,
            self.titles,
            ["baseline", "follow_up"],
            {"baseline": "At the start", "follow_up": "Now"},
            change=True,
        )


def score_table_html(
    table: pd.DataFrame,
    titles: dict[str, str],
    columns: list[str],
    labels: dict[str, str],
    change: bool = False,
) -> str:
    """An accessible table with a bar per score (1-5): numbers first, bars as decoration."""
    import pandas as pd

    head = "".join(f"<th scope='col'>{inline(labels[c])}</th>" for c in columns)
    if change:
        head += "<th scope='col'>Change</th>"
    body = []
    for module_id, row in table.iterrows():
        cells = []
        for n, column in enumerate(columns):
            value = row[column]
            if pd.isna(value):
                cells.append("<td>–</td>")
                continue
            width = round(100 * (value - 1) / 4)
            cells.append(
                f'<td><span class="rp-bar-value">{value:.1f}</span>'
                f'<span class="rp-bar" aria-hidden="true"><span class="rp-bar-fill rp-bar-{n}" '
                f'style="width:{width}%"></span></span></td>'
            )
        if change:
            delta = row["change"]
            cells.append("<td>–</td>" if pd.isna(delta) else f"<td>{delta:+.1f}</td>")
        title = inline(titles.get(str(module_id), str(module_id)))
        body.append(f"<tr><th scope='row'>{title}</th>{''.join(cells)}</tr>")
    return (
        '<table class="rp-scores"><caption>Scores run from 1 to 5, one per principle. '
        "They are a reflection aid, not a measurement of you.</caption>"
        f"<thead><tr><th scope='col'>Principle</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
