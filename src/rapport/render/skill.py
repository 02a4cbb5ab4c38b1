"""A module's skill and drill as HTML: what the skill is, why it works (with its sources), its
steps and sentence stems, a weak and a strong version side by side, and where it changes with
culture, neurotype or relationship. The notebook, the handout and the slides draw from here."""

from __future__ import annotations

from rapport.content.skills import Drill, Evidence, Skill
from rapport.render.html import inline, text


def citation(source: Evidence) -> str:
    """A source as it is cited: authors (year). Title. Where it was published."""
    title = source.title.rstrip(".")
    return f"{source.authors} ({source.year}). {title}. {source.published}."


def sources_html(skill: Skill) -> str:
    items = "".join(
        f'<li><span class="rp-cite">{inline(citation(s))}</span> {inline(s.found)}</li>'
        for s in skill.sources
    )
    return f'<ul class="rp-sources">{items}</ul>'


def steps_html(skill: Skill) -> str:
    return "<ol>" + "".join(f"<li>{inline(step)}</li>" for step in skill.steps) + "</ol>"


def stems_html(stems: list[str]) -> str:
    return '<ul class="rp-stems">' + "".join(f"<li>{inline(s)}</li>" for s in stems) + "</ul>"


def example_html(skill: Skill) -> str:
    example = skill.example
    return (
        f'<p class="rp-meta">{inline(example.situation)}</p>'
        '<div class="rp-compare">'
        f'<div class="rp-weak"><p class="rp-label">A weaker version</p>{text(example.weak)}</div>'
        f'<div class="rp-strong"><p class="rp-label">A stronger version</p>'
        f"{text(example.strong)}</div></div>{text(example.why)}"
    )


def skill_html(skill: Skill, level: int = 3) -> str:
    """The skill as one card, headed at ``level``."""
    sub = level + 1
    return (
        f'<div class="rp-card rp-skill" role="region" aria-label="The skill: {inline(skill.name)}">'
        f'<p class="rp-meta">The skill</p><h{level}>{inline(skill.name)}</h{level}>'
        f"{text(skill.what)}"
        f"<h{sub}>Why it works</h{sub}>{text(skill.why)}{sources_html(skill)}"
        f"<h{sub}>Step by step</h{sub}>{steps_html(skill)}"
        f"<h{sub}>Ways to start</h{sub}>{stems_html(skill.stems)}"
        f"<h{sub}>Weaker and stronger</h{sub}>{example_html(skill)}"
        f"<h{sub}>It depends</h{sub}>{text(skill.varies)}</div>"
    )


def drill_html(drill: Drill, level: int = 3) -> str:
    """The drill's task, what to respond to, and the stems that help start."""
    return (
        f'<div class="rp-card"><p class="rp-meta">Drill</p><h{level}>{inline(drill.title)}'
        f"</h{level}>{text(drill.task)}"
        f'<div class="rp-says">{text(drill.situation)}</div>'
        f'<p class="rp-meta">Some ways to start:</p>{stems_html(drill.stems)}</div>'
    )


def models_html(drill: Drill) -> str:
    """The model answers, each with what it does well or misses."""
    items = "".join(
        f'<li><p class="rp-label">{inline(m.label)}</p><div class="rp-you">{text(m.text)}</div>'
        f'<p class="rp-note">{inline(m.note)}</p></li>'
        for m in drill.models
    )
    return (
        '<div class="rp-card" role="region" aria-label="Model answers">'
        '<p class="rp-meta">Compare with these. None is the one right answer.</p>'
        f'<ol class="rp-models">{items}</ol></div>'
    )
