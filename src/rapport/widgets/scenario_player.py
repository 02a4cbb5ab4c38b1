"""ScenarioPlayer: a branching role-play conversation, as a thin view over ScenarioRun.

After a choice the learner first sees how the other person took it (their cue and words);
the coaching opens on request ("Why did that land like that?"), straight away, or only in the
debrief, as the scenario says. At the nodes an author marked, the learner may first say it in
their own words, then pick the closest option. The debrief replays the learner's own path and
ends with questions they can answer in their journal. What the player shows is kept in traits.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
from traitlets import Bool, Int, Unicode, observe

from rapport.content.scenarios import Scenario
from rapport.content.schema import ReflectionPrompt
from rapport.course.journal import debrief_prompt
from rapport.course.scenario import Debrief, ScenarioRun, Step
from rapport.render.html import inline, notice, text
from rapport.render.scenario import (
    coaching_html,
    debrief_html,
    heading_html,
    meters_html,
    reaction_html,
    says_html,
    visible_meters,
    you_html,
)
from rapport.widgets._html import SharedLayout, button, html, row, shared, style, text_style, wide

WHY = "Why did that land like that?"


def debrief_prompts(scenario: Scenario) -> list[ReflectionPrompt]:
    """The scenario's debrief questions as journal prompts."""
    return [
        ReflectionPrompt(id=debrief_prompt(scenario.id, n), prompt=question)
        for n, question in enumerate(scenario.debrief.questions, start=1)
    ]


class ScenarioPlayer(w.VBox):
    """Play a scenario by clicking choices; go back one step or start again at any time."""

    node_id = Unicode(help="The node the conversation is at.")
    steps_taken = Int(0, help="How many choices the learner has made on this path.")
    finished = Bool(False, help="Whether the conversation reached an ending.")
    coaching_open = Bool(False, help="Whether the coaching on the last choice is shown.")
    asking_words = Bool(False, help="Whether the learner is invited to say it their own way.")
    words = Unicode("", help="What the learner wrote in their own words at this node.")

    def __init__(
        self,
        scenario: Scenario,
        on_finish: Callable[[Debrief], None] | None = None,
        seed: int | str | None = None,
        journal_box: Callable[[ReflectionPrompt], w.Widget] | None = None,
    ):
        self.run = ScenarioRun(scenario, seed=seed)
        self.on_finish = on_finish
        self._journal_box = journal_box
        self.heading = html(heading_html(scenario))
        self.meters = html()
        self.transcript = html()
        self.current = html()
        self.coaching = html()
        self.why_button = button(WHY, icon="question-circle", layout=w.Layout())
        self.why_button.on_click(lambda _: self.toggle_coaching())
        # Only a role-play that asks for the learner's own words carries the form for them.
        self.words_form = self._words_form() if _asks_words(scenario) else None
        self.choices = w.VBox(layout=w.Layout(width="100%"))  # shown and hidden: its own
        self.debrief_view = html()
        self.journal_boxes = w.VBox(layout=wide())
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
                self.coaching,
                self.why_button,
                *([self.words_form] if self.words_form else []),
                self.choices,
                self.debrief_view,
                self.journal_boxes,
                row([self.back_button, self.restart_button]),
                self.status,
            ],
            layout=wide(),
        )
        self.add_class("rp-box")
        self._render()

    def __repr__(self) -> str:
        return f"ScenarioPlayer({self.run.scenario.id!r})"

    @property
    def mode(self) -> str:
        return self.run.scenario.coaching

    # -- actions (also what the buttons call) ---------------------------------------
    def choose(self, index: int) -> Step:
        """Take choice ``index`` (as written in the content) at the current node."""
        step = self.run.choose(index, words=self.words or None)
        self.words = ""
        self._render()
        if self.run.finished and self.on_finish is not None:
            try:
                self.on_finish(self.run.debrief())
            except Exception:  # the conversation itself is fine; say so, keep it on screen
                self.status.value = notice(
                    "note",
                    "Your progress could not be recorded just now; the conversation itself "
                    "is fine.",
                )
        return step

    def say_it(self, words: str) -> None:
        """Keep what the learner wrote in their own words (or nothing), then show the options."""
        self.words = words.strip()
        self.asking_words = False

    def toggle_coaching(self) -> None:
        self.coaching_open = not self.coaching_open

    def back(self) -> None:
        self.run.back()
        self._render()

    def restart(self) -> None:
        self.run.restart()
        self._render()

    @property
    def choice_buttons(self) -> list[w.Button]:
        return list(self.choices.children)

    # -- state ----------------------------------------------------------------------
    def _render(self) -> None:
        run = self.run
        with self.hold_trait_notifications():
            self.node_id = run.node.id
            self.steps_taken = len(run.steps)
            self.finished = run.finished
            self.coaching_open = self.mode == "immediate" and bool(run.steps)
            self.asking_words = run.node.your_words and not run.finished
        if self.words_form is not None:
            self.words_box.value = ""
        self.status.value = ""
        self._draw()

    @observe("coaching_open")
    def _show_coaching(self, _change=None) -> None:
        step = self.run.last_step
        visible = step is not None and self.mode != "at-end" and not self.finished
        self.why_button.layout.display = "none" if not visible or self.mode != "on-request" else ""
        self.why_button.description = "Hide the coaching" if self.coaching_open else WHY
        labels = visible_meters(self.run.scenario)
        show = visible and self.coaching_open
        self.coaching.value = coaching_html(step, labels) if show else ""

    @observe("asking_words")
    def _show_options(self, _change=None) -> None:
        if self.words_form is not None:
            self.words_form.layout.display = "flex" if self.asking_words else "none"
        self.choices.layout.display = "none" if self.asking_words else "flex"

    # -- view ------------------------------------------------------------------------
    def _draw(self) -> None:
        run = self.run
        scenario = run.scenario
        name = scenario.character.name
        self.meters.value = meters_html(scenario, run.state)
        self.transcript.value = self._transcript_html(run.steps[:-1], name)
        parts = []
        if run.last_step is not None:
            parts += [you_html(run.last_step), reaction_html(run.last_step, name)]
        parts.append(says_html(name, run.says, run.cue, live=True))
        self.current.value = "".join(parts)
        self._show_coaching()
        self._show_options()
        if run.finished:
            self.choices.children = ()
            debrief = run.debrief()
            self.debrief_view.value = debrief_html(debrief, scenario) + _try_again()
            self.journal_boxes.children = self._questions()
        else:
            self.debrief_view.value = ""
            self.journal_boxes.children = ()
            self.choices.children = [
                self._choice_button(n, index, choice.text)
                for n, (index, choice) in enumerate(run.options, start=1)
            ]
        self.back_button.disabled = not run.steps
        self.restart_button.disabled = not run.steps

    def _words_form(self) -> w.VBox:
        self.words_box = w.Textarea(
            description="In your own words (optional)",
            placeholder="What would you say? Only you see this; it stays in your journal.",
            rows=2,
            layout=wide(),
            style=text_style(),
            continuous_update=False,  # sent whole before a button is pressed (ReflectionBox)
        )
        self.show_options_button = button("Now show me the options", button_style="primary")
        self.skip_button = button("Skip: show the options")
        self.show_options_button.on_click(lambda _: self.say_it(self.words_box.value))
        self.skip_button.on_click(lambda _: self.say_it(""))
        return w.VBox(
            [self.words_box, row([self.show_options_button, self.skip_button])],
            layout=w.Layout(width="100%"),
        )

    def _questions(self) -> list[w.Widget]:
        prompts = debrief_prompts(self.run.scenario)
        if not prompts:
            return []
        intro = html(
            '<div class="rp-card"><h4>For your journal</h4><p>Answer if you like: your '
            "answers stay private to you.</p></div>"
        )
        if self._journal_box is None:
            asks = "".join(f"<li>{inline(p.prompt)}</li>" for p in prompts)
            return [intro, html(f'<ul class="rp-questions">{asks}</ul>')]
        return [intro, *(self._journal_box(p) for p in prompts)]

    def _choice_button(self, number: int, index: int, label: str) -> w.Button:
        choice = button(
            f"{number}. {label}",
            tooltip=label,
            # every choice button: full width, as tall as its text
            layout=shared("choice", lambda: SharedLayout(width="100%", height="auto").seal()),
        )
        choice.add_class("rp-choice")
        choice.on_click(lambda _b, i=index: self.choose(i))
        return choice

    def _transcript_html(self, steps: tuple[Step, ...], name: str) -> str:
        if not steps:
            return ""
        rows = []
        for step in steps:
            rows.append(says_html(name, step.said, step.cue))
            rows.append(you_html(step))
            rows.append(reaction_html(step, name))
        return (
            f'<details class="rp-transcript"><summary>The conversation so far '
            f"({len(steps)} exchange{'s' if len(steps) != 1 else ''})</summary>"
            f"{''.join(rows)}</details>"
        )


def _asks_words(scenario: Scenario) -> bool:
    return any(node.your_words for node in scenario.nodes)


def _try_again() -> str:
    return text(
        "Try another path with “Start again”, or step back to see how a different choice "
        "changes what happens."
    ).replace("<p>", '<p class="rp-note">')
