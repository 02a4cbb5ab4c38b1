"""The typed schema of what a module teaches: the idea in short slides, the named skill with its
evidence, and the drill that practises it."""

from __future__ import annotations

from pydantic import Field

from rapport.content.scenarios import Id, Strict, Text


class IdeaSlide(Strict):
    """One short slide of the idea: a title and a few points."""

    title: Text
    points: list[Text] = Field(min_length=1, max_length=4)


class Idea(Strict):
    """The idea as slides for the room (the notebook tells it in its own prose), and its story."""

    slides: list[IdeaSlide] = Field(min_length=2, max_length=5)
    story: Text


class Evidence(Strict):
    """A published source behind a skill: checked before it is cited."""

    authors: Text  # as published: "Miller, W. R., & Rollnick, S."
    year: int = Field(ge=1900, le=2030)
    title: Text
    published: Text  # the journal with volume and pages, or the publisher
    found: Text  # what it found or argues, in our own words


class Example(Strict):
    """The skill shown twice in the same situation: a weak version and a strong one."""

    situation: Text
    weak: Text
    strong: Text
    why: Text


class Skill(Strict):
    """The one named skill a module teaches, with the evidence behind it."""

    name: Text
    # Words that name the skill or its parts ("reflection", "open question"): coaching that
    # uses one of them names the skill (checked by `rapport check`).
    terms: list[Text] = Field(min_length=1, max_length=12)
    what: Text
    why: Text
    sources: list[Evidence] = Field(min_length=1, max_length=3)
    steps: list[Text] = Field(min_length=2, max_length=6)
    stems: list[Text] = Field(min_length=2, max_length=8)
    example: Example
    varies: Text  # where it changes with culture, neurotype or the kind of relationship


class ModelAnswer(Strict):
    """One model answer a learner compares their own with."""

    label: Text  # "A simple reflection"
    text: Text
    note: Text  # what it does well, or what it misses


class Drill(Strict):
    """A short exercise: the learner writes their own version (kept privately), then compares
    it with model answers."""

    id: Id
    title: Text
    task: Text  # what to do
    situation: Text  # what they respond to, e.g. what someone just said
    stems: list[Text] = Field(min_length=1, max_length=6)
    models: list[ModelAnswer] = Field(min_length=2, max_length=4)
