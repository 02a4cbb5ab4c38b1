"""A role-play's turns as HTML: the coaching on a choice, shown alike to one learner and a room."""

from __future__ import annotations

from rapport.course.scenario import ScenarioRun, Step
from rapport.render.html import inline, text

TONE_LABEL = {
    "helps": "This helps the connection.",
    "mixed": "This half-helps.",
    "hurts": "This costs the connection something.",
}


def feedback_html(step: Step, labels: dict[str, str]) -> str:
    tone = step.choice.tone
    changes = "".join(
        f" {labels[name]} {'+' if delta > 0 else ''}{delta}."
        for name, delta in step.changes.items()
    )
    return (
        f'<div class="rp-feedback rp-{tone}"><b>{TONE_LABEL[tone]}</b> '
        f"{inline(step.choice.feedback)}"
        + (f'<span class="rp-note">{inline(changes)}</span>' if changes else "")
        + "</div>"
    )


def room_play_html(run: ScenarioRun, voting: bool) -> str:
    """The room role-play as everyone sees it: the words to answer while the room votes; then
    the room's choice, its coaching and what comes next (or the debrief at the end)."""
    name = inline(run.scenario.character.name)
    if voting:
        return f'<div class="rp-says" aria-live="polite"><b>{name}:</b> {text(run.says)}</div>'
    parts = []
    step = run.last_step
    if step is not None:
        parts.append(f'<div class="rp-you"><b>The room said:</b> {inline(step.choice.text)}</div>')
        parts.append(feedback_html(step, {m.id: m.label for m in run.scenario.meters}))
    parts.append(f'<div class="rp-says"><b>{name}:</b> {text(run.says)}</div>')
    if run.finished:
        debrief = text(run.debrief().debrief)
        parts.append(f'<div class="rp-card rp-debrief"><h3>Debrief</h3>{debrief}</div>')
    else:
        parts.append('<p class="rp-note">The next vote opens in a moment.</p>')
    return '<div aria-live="polite">' + "".join(parts) + "</div>"
