"""The skill card and the drill: learn the module's one skill, then write your own version
privately and compare it with model answers."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
from traitlets import Bool, observe

from rapport.content.schema import Module, ReflectionPrompt
from rapport.course.journal import drill_prompt
from rapport.render.skill import drill_html, models_html, skill_html
from rapport.store.journal import Journal
from rapport.widgets._html import button, html, style, wide
from rapport.widgets.reflection import ReflectionBox


class SkillCard(w.VBox):
    """The module's skill: what, why (with sources), steps, stems, weaker and stronger."""

    def __init__(self, module: Module):
        if module.skill is None:
            raise ValueError(f"module {module.id!r} has no skill")
        self.skill = module.skill
        super().__init__([style(), html(skill_html(module.skill))], layout=wide())
        self.add_class("rp-box")

    def __repr__(self) -> str:
        return f"SkillCard({self.skill.name!r})"


class DrillBox(w.VBox):
    """Write your own version first (it stays in your journal), then compare it with models."""

    compared = Bool(False, help="Whether the model answers are shown.")

    def __init__(self, module: Module, journal: Callable[[], Journal]):
        if module.drill is None:
            raise ValueError(f"module {module.id!r} has no drill")
        drill = module.drill
        self.drill = drill
        prompt = ReflectionPrompt(
            id=drill_prompt(drill.id),
            prompt="Your version",
            hint="Write it the way you would say it. Only you can see this.",
        )
        self.yours = ReflectionBox(module.id, prompt, journal)
        self.compare_button = button(
            "Compare with model answers", icon="balance-scale", layout=w.Layout()
        )
        self.compare_button.on_click(lambda _: self.compare())
        self.models = html(layout=w.Layout(display="none"))
        super().__init__(
            [style(), html(drill_html(drill)), self.yours, self.compare_button, self.models],
            layout=wide(),
        )
        self.add_class("rp-box")

    def __repr__(self) -> str:
        return f"DrillBox({self.drill.id!r})"

    def compare(self) -> None:
        """Show the model answers (saving the learner's version first, if they wrote one)."""
        if self.yours.answer.value.strip() and self.yours.answer.value != self.yours.saved_text:
            self.yours.save()
        self.compared = True

    @observe("compared")
    def _show(self, change) -> None:
        self.models.value = models_html(self.drill) if change["new"] else ""
        self.models.layout.display = "" if change["new"] else "none"
        self.compare_button.layout.display = "none" if change["new"] else ""
