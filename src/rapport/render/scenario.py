"""A role-play's turns as HTML, the same for one learner and for a room: the other person's
words and cues, their reaction to a choice, the coaching on it, and the debrief that replays
the path. Every text is escaped."""

from __future__ import annotations

from rapport.content.scenarios import Scenario
from rapport.course.scenario import Debrief, ScenarioRun, Step
from rapport.render.html import inline, short, text

TONE_LABEL = {
    "helps": "This helped the connection.",
    "mixed": "This half-helped.",
    "hurts": "This cost the connection something.",
}
SETTING = {
    "work": "At work",
    "friends": "With friends",
    "family": "In the family",
    "partner": "With a partner",
    "online": "Online",
    "community": "In the neighbourhood",
}


def heading_html(scenario: Scenario, level: int = 3) -> str:
    """The role-play's title, setting, the person and the scene."""
    who = scenario.character
    age = f", {who.age}" if who.age else ""
    return (
        f'<div class="rp-card"><h{level}>{inline(scenario.title)}</h{level}>'
        f'<p class="rp-meta">{SETTING[scenario.setting]} · '
        f"{inline(who.name)}{age}: {inline(who.about)}</p>"
        f"{text(scenario.intro)}</div>"
    )


def says_html(name: str, says: str, cue: str | None = None, live: bool = False) -> str:
    """What the other person does (a cue) and says."""
    polite = ' aria-live="polite"' if live else ""
    seen = f'<p class="rp-cue">{inline(cue)}</p>' if cue else ""
    return f'<div class="rp-says"{polite}>{seen}<b>{inline(name)}:</b> {text(says)}</div>'


def you_html(step: Step, who: str = "You") -> str:
    """What was chosen, and the learner's own words before it, if they wrote any."""
    own = (
        f'<div class="rp-you rp-own"><b>In your own words:</b> {inline(step.words)}</div>'
        if step.words
        else ""
    )
    return f'{own}<div class="rp-you"><b>{inline(who)}:</b> {inline(step.choice.text)}</div>'


def reaction_html(step: Step, name: str) -> str:
    """How the other person took the choice, straight after it (nothing if the author gave no
    reaction: their next words then carry it)."""
    reaction = step.reaction
    if reaction is None:
        return ""
    cue = f'<p class="rp-cue">{inline(reaction.cue)}</p>' if reaction.cue else ""
    words = f"<b>{inline(name)}:</b> {text(reaction.says)}" if reaction.says else ""
    return f'<div class="rp-says rp-reaction">{cue}{words}</div>'


def coaching_html(step: Step, labels: dict[str, str]) -> str:
    """Why the choice landed as it did: its tone (in words, never by colour alone), the coaching
    and what it changed on the visible meters (``labels``)."""
    tone = step.choice.tone
    changes = "".join(
        f" {labels[name]} {'+' if delta > 0 else ''}{delta}."
        for name, delta in step.changes.items()
        if name in labels
    )
    return (
        f'<div class="rp-feedback rp-{tone}"><b>{TONE_LABEL[tone]}</b> '
        f"{inline(step.choice.coaching)}"
        + (f' <span class="rp-note">{inline(changes)}</span>' if changes else "")
        + "</div>"
    )


def visible_meters(scenario: Scenario) -> dict[str, str]:
    """The labels of the meters the learner sees (hidden ones left out)."""
    return {m.id: m.label for m in scenario.meters if not m.hidden}


def meters_html(scenario: Scenario, state: dict[str, int]) -> str:
    bits = []
    for meter in scenario.meters:
        if meter.hidden:
            continue
        value = state[meter.id]
        pct = round(100 * (value - meter.min) / max(meter.max - meter.min, 1))
        bits.append(
            f'<span class="rp-meter">{inline(meter.label)}: {value} of {meter.max}'
            f'<span class="rp-meter-bar" role="meter" aria-label="{inline(meter.label)}" '
            f'aria-valuemin="{meter.min}" aria-valuemax="{meter.max}" aria-valuenow="{value}">'
            f'<span class="rp-meter-fill" style="width:{pct}%"></span></span></span>'
        )
    return f'<div class="rp-meta">{"".join(bits)}</div>' if bits else ""


def debrief_html(debrief: Debrief, scenario: Scenario, who: str = "You", level: int = 3) -> str:
    """The debrief: how it ended, the lines true to this path, then the path replayed with the
    reactions, the coaching and the turning points."""
    name = scenario.character.name
    labels = visible_meters(scenario)
    lines = "".join(f"<p>{inline(line.text)}</p>" for line in debrief.lines)
    path = "".join(_turn_html(turn, scenario, name, labels, who) for turn in debrief.turns)
    meters = "; ".join(
        f"{inline(m.label)} ended at {debrief.state[m.id]} of {m.max} (started at {m.start})"
        for m in scenario.meters
        if not m.hidden
    )
    sub = level + 1
    return (
        # named after the scenario: a module with two role-plays can show two debriefs
        '<div class="rp-card rp-debrief" role="region" '
        f'aria-label="Debrief: {inline(scenario.title)}">'
        f"<h{level}>Debrief</h{level}>{text(debrief.debrief)}{lines}"
        f'<h{sub}>The conversation, step by step</h{sub}><ol class="rp-path">{path}</ol>'
        + (f'<p class="rp-meta">{meters}.</p>' if meters else "")
        + "</div>"
    )


def _turn_html(turn, scenario: Scenario, name: str, labels: dict[str, str], who: str) -> str:
    step = turn.step
    parts = [
        f'<p class="rp-meta"><b>{inline(name)}:</b> {inline(short(step.said, 90))}</p>',
        you_html(step, who),
        reaction_html(step, name),
        coaching_html(step, labels),
    ]
    if turn.turning_point:
        other = "; ".join(
            f"“{inline(choice.text)}” would have led to "
            f"“{inline(short(scenario.node(target).says, 60))}”"
            for choice, target in turn.elsewhere
        )
        parts.append(
            f'<p class="rp-turning"><b>A turning point.</b> Another choice would have taken the '
            f"conversation elsewhere: {other}</p>"
        )
    return f"<li>{''.join(parts)}</li>"


def room_play_html(run: ScenarioRun, voting: bool, coached: bool = False) -> str:
    """The room role-play as everyone sees it: while the room votes, the words to answer; once
    the facilitator takes a choice, the room's choice and the reaction, the coaching when the
    facilitator shows it, and at the end the debrief."""
    name = run.scenario.character.name
    if voting:
        return says_html(name, run.says, run.cue, live=True)
    parts = []
    step = run.last_step
    if step is not None:
        parts += [you_html(step, "The room said"), reaction_html(step, name)]
        if coached and run.scenario.coaching != "at-end":
            parts.append(coaching_html(step, visible_meters(run.scenario)))
    parts.append(says_html(name, run.says, run.cue))
    if run.finished:
        parts.append(debrief_html(run.debrief(), run.scenario, who="The room", level=3))
    else:
        parts.append('<p class="rp-note">The next vote opens in a moment.</p>')
    return '<div aria-live="polite">' + "".join(parts) + "</div>"
