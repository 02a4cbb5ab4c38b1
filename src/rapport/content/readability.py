"""Flesch-Kincaid grade of a module's prose, computed offline with a vowel-group syllable count."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rapport.content.schema import Module

WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# A sentence ends at . ! ? or a blank line; list items, table rows and headings stand alone.
# A plain line break is only wrapping inside a paragraph.
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s|$)|\n\s*\n|\n(?=\s*(?:[-*+]\s|\d+\.\s|\||#))")
MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]+>|[*_`#>|]+|^-{3,}$", re.MULTILINE)


def syllables(word: str) -> int:
    """An estimate of a word's syllables: groups of vowels, less a silent ending."""
    w = word.lower().replace("’", "'")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def grade(text: str) -> float:
    """The Flesch-Kincaid grade level of ``text`` (0 for text with no words)."""
    pieces = (MARKUP.sub(lambda m: m.group(1) or " ", s) for s in SENTENCE_END.split(text))
    sentences = [s for s in pieces if WORD.search(s)]
    words = [w for s in sentences for w in WORD.findall(s)]
    if not words:
        return 0.0
    syl = sum(syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syl / len(words) - 15.59


def module_text(module: Module) -> str:
    """Every sentence a learner reads in a module's content file, one item per line."""
    parts = [*module.questions, *module.objectives, *module.key_points]
    if module.care_note:
        parts.append(module.care_note)
    if module.challenge:
        parts += [module.challenge.title, module.challenge.text]
    parts += _teaching_text(module)
    for scenario in module.scenarios:
        parts += [scenario.intro, scenario.character.about]
        parts += [line.text for line in scenario.debrief.lines] + list(scenario.debrief.questions)
        for node in scenario.nodes:
            parts += [node.says, *(v.says for v in node.variants)]
            parts += [text for text in (node.cue, node.debrief) if text]
            for choice in node.choices:
                parts += [choice.text, choice.coaching]
                if choice.reaction:
                    parts += [t for t in (choice.reaction.cue, choice.reaction.says) if t]
    for reflection in module.reflections:
        parts += [reflection.prompt, *([reflection.hint] if reflection.hint else [])]
    for activity in module.activities:
        parts.append(activity.prompt)
        parts += getattr(activity, "options", []) + getattr(activity, "instructions", [])
    return "\n\n".join(" ".join(p.split()) for p in parts)


def notebook_prose(path: Path) -> str:
    """The Markdown a notebook's author wrote (generated chrome left out)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join(
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "markdown"
        and not any(t.startswith("rapport:") for t in cell.get("metadata", {}).get("tags", []))
    )


def _teaching_text(module: Module) -> list[str]:
    """The learner-facing words of the module's idea, skill and drill (sources left out: their
    titles are the authors' own)."""
    parts: list[str] = []
    if module.idea:
        parts.append(module.idea.story)
        for slide in module.idea.slides:
            parts += [slide.title, *slide.points]
    if module.skill:
        skill = module.skill
        example = skill.example
        parts += [skill.name, skill.what, skill.why, *skill.steps, *skill.stems, skill.varies]
        parts += [example.situation, example.weak, example.strong, example.why]
    if module.drill:
        drill = module.drill
        parts += [drill.title, drill.task, drill.situation, *drill.stems]
        parts += [t for model in drill.models for t in (model.label, model.text, model.note)]
    for activity in module.activities:
        if getattr(activity, "solo", None):
            parts.append(activity.solo)
    return parts
