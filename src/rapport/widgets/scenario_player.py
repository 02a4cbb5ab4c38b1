"""ScenarioPlayer: a branching role-play conversation, as a thin view over ScenarioRun."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from rapport.content.schema import Scenario
from rapport.course.scenario import Debrief, ScenarioRun, Step
from rapport.render.html import inline, text
from rapport.render.scenario import TONE_LABEL, feedback_html
from rapport.widgets._html import SharedLayout, button, html, row, shared, style, wide

SETTING = {
    "work": "At work",
    "friends": "With friends",
    "family": "In the family",
    "partner": "With a partner",
    "online": "Online",
    "community": "In the neighbourhood",
}


class ScenarioPlayer(w.VBox):
    """Play a scenario by clicking choices; go back one step or start again at any time."""

    def __init__(self, scenario: Scenario, on_finish: Callable[[Debrief], None] | None = None):
        self.run = ScenarioRun(scenario)
        self.on_finish = on_finish
        who = scenario.character
        age = f", {who.age}" if who.age else ""
        self.heading = html(
            f'<div class="rp-card"><h3>{inline(scenario.title)}</h3>'
            f'<p class="rp-meta">{SETTING[scenario.setting]} · '
            f"{inline(who.name)}{age}: {inline(who.about)}</p>"
            f"{text(scenario.intro)}</div>"
        )
        self.meters = html()
        self.transcript = html()
        self.current = html()
        self.choices = w.VBox(layout=wide())
        self.debrief_view = html()
        self.back_button = button(
            "Back one step", icon="undo", tooltip="Take back your last choice"
        )
        self.restart_button = button(
            "Start again", icon="refresh", tooltip="Start the conversation over"
        )
        self.back_button.on_click(lambda _: self.back())
        self.restart_button.on_click(lambda _: self.restart())
        self.status = html()
        super().__init__(
            [
                style(),
                self.heading,
                self.meters,
                self.transcript,
                self.current,
                self.choices,
                self.debrief_view,
                row([self.back_button, self.restart_button]),
                self.status,
            ],
            layout=wide(),
        )
        self.add_class("rp-box")
        self._render()

    def __repr__(self) -> str:
        return f"ScenarioPlayer({self.run.scenario.id!r})"

    # -- actions (also what the buttons call) ---------------------------------------
    def choose(self, index: int) -> Step:
        step = self.run.choose(index)
        self._render()
        if self.run.finished and self.on_finish is not None:
            try:
                self.on_finish(self.run.debrief())
            except Exception:
                self.status.value = (
                    '<p class="rp-note">Your progress could not be recorded just now; '
                    "the conversation itself is fine.</p>"
                )
        return step

    def back(self) -> None:
        self.run.back()
        self._render()

    def restart(self) -> None:
        self.run.restart()
        self._render()

    @property
    def choice_buttons(self) -> list[w.Button]:
        return list(self.choices.children)

    # -- view ------------------------------------------------------------------------
    def _render(self) -> None:
        run = self.run
        name = inline(run.scenario.character.name)
        self.meters.value = self._meters_html()
        self.transcript.value = self._transcript_html(run.steps[:-1], name)
        parts = []
        if run.last_step is not None:
            last = run.last_step
            parts.append(f'<div class="rp-you"><b>You:</b> {inline(last.choice.text)}</div>')
            parts.append(feedback_html(last, {m.id: m.label for m in run.scenario.meters}))
        parts.append(
            f'<div class="rp-says" aria-live="polite"><b>{name}:</b> {text(run.says)}</div>'
        )
        self.current.value = "".join(parts)
        self.status.value = ""
        if run.finished:
            self.choices.children = ()
            self.debrief_view.value = self._debrief_html(run.debrief())
        else:
            self.debrief_view.value = ""
            self.choices.children = [
                self._choice_button(i, c.text) for i, c in enumerate(run.node.choices)
            ]
        self.back_button.disabled = not run.steps
        self.restart_button.disabled = not run.steps

    def _choice_button(self, index: int, label: str) -> w.Button:
        choice = button(
            f"{index + 1}. {label}",
            tooltip=label,
            # every choice button: full width, as tall as its text
            layout=shared("choice", lambda: SharedLayout(width="100%", height="auto").seal()),
        )
        choice.add_class("rp-choice")
        choice.on_click(lambda _b, i=index: self.choose(i))
        return choice

    def _meters_html(self) -> str:
        run = self.run
        bits = []
        for meter in run.scenario.meters:
            value = run.state[meter.id]
            span = max(meter.max - meter.min, 1)
            pct = round(100 * (value - meter.min) / span)
            bits.append(
                f'<span class="rp-meter">{inline(meter.label)}: {value} of {meter.max}'
                f'<span class="rp-meter-bar" role="meter" aria-label="{inline(meter.label)}" '
                f'aria-valuemin="{meter.min}" aria-valuemax="{meter.max}" aria-valuenow="{value}">'
                f'<span class="rp-meter-fill" style="width:{pct}%"></span></span></span>'
            )
        return f'<div class="rp-meta">{"".join(bits)}</div>' if bits else ""

    def _transcript_html(self, steps: tuple[Step, ...], name: str) -> str:
        if not steps:
            return ""
        rows = []
        for step in steps:
            node = self.run.scenario.node(step.node_id)
            rows.append(f'<div class="rp-says"><b>{name}:</b> {text(node.says)}</div>')
            rows.append(f'<div class="rp-you"><b>You:</b> {inline(step.choice.text)}</div>')
        return (
            f'<details class="rp-transcript"><summary>The conversation so far '
            f"({len(steps)} exchange{'s' if len(steps) != 1 else ''})</summary>"
            f"{''.join(rows)}</details>"
        )

    def _debrief_html(self, debrief: Debrief) -> str:
        path = "".join(
            f"<li><b>{inline(step.choice.text)}</b> "
            f'<span class="rp-note">({TONE_LABEL[step.choice.tone]})</span></li>'
            for step in debrief.steps
        )
        meters = "; ".join(
            f"{inline(m.label)} ended at {debrief.state[m.id]} of {m.max} (started at {m.start})"
            for m in self.run.scenario.meters
        )
        tones = debrief.tones
        tally = (
            f"{tones['helps']} choice{'s' if tones['helps'] != 1 else ''} helped, "
            f"{tones['mixed']} half-helped, {tones['hurts']} cost something."
        )
        return (
            # named after the scenario: a module with two role-plays can show two debriefs
            '<div class="rp-card rp-debrief" role="region" '
            f'aria-label="Debrief: {inline(self.run.scenario.title)}">'
            "<h3>Debrief</h3>"
            f"{text(debrief.debrief)}"
            f"<p><b>Your path:</b> {tally}</p><ol>{path}</ol>"
            + (f'<p class="rp-meta">{meters}.</p>' if meters else "")
            + '<p class="rp-note">Try another path with “Start again”, or step back to see '
            "how a different choice changes what happens.</p></div>"
        )
