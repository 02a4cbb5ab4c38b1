"""Slide decks: every module's deck is built from its content and notes, every text escaped,
nothing asked of another host; agendas as sequences of decks; the printed deck."""

from __future__ import annotations

import re
from html import escape

import pytest

from rapport.cli import main
from rapport.content.agenda import load_agendas, sessions
from rapport.content.loading import load_facilitator_notes, load_manifest, load_module
from rapport.content.schema import FacilitatorNotes
from rapport.outputs.slides import (
    Deck,
    DeckNotFound,
    agenda_deck,
    deck_named,
    module_deck,
    module_slides,
    part_notes,
    support_calls,
)
from rapport.outputs.slides_html import DENSE_CHARS, GENERAL_SUPPORT, deck_html
from rapport.room.refs import ActivityRef
from rapport.store.support import Service

from ..conftest import ROOT

MODULES = load_manifest(ROOT).modules
SERVICES = [Service("Samaritans", "call 116 123, free, day or night")]


def kinds_of(deck) -> list[str]:
    return deck.kinds()


@pytest.mark.parametrize("module_id", MODULES)
def test_every_module_deck_has_the_parts_its_content_has(module_id):
    module = load_module(module_id, ROOT)
    deck = module_deck(module_id, root=ROOT)
    kinds = kinds_of(deck)
    assert deck.slides[0].kind == "title" and deck.slides[0].title == module.label
    assert deck.slides[1].kind == "questions"
    assert deck.slides[1].points == tuple(module.questions)
    assert kinds.count("idea") == (len(module.idea.slides) if module.idea else 0)
    assert kinds.count("story") == (1 if module.idea else 0)
    for part in ("skill", "steps", "stems", "example"):
        assert kinds.count(part) == (1 if module.skill else 0), part
    assert kinds.count("drill") == kinds.count("models") == (1 if module.drill else 0)
    live = [slide.live for slide in deck.slides if slide.live is not None]
    assert live == [ActivityRef.activity(a.id) for a in module.activities] + [
        ActivityRef.play(s.id) for s in module.scenarios
    ]
    assert kinds.count("challenge") == (1 if module.challenge else 0)
    assert kinds.count("key-points") == (1 if module.key_points else 0)
    if module.skill:
        steps = next(s for s in deck.slides if s.kind == "steps")
        assert steps.points == tuple(module.skill.steps)
        stems = next(s for s in deck.slides if s.kind == "stems")
        assert stems.points == tuple(module.skill.stems)
    # The practice challenge and the key points close the module (then, maybe, support).
    closing = [k for k in ("challenge", "key-points") if k in kinds]
    rest = [k for k in kinds if k != "support"]
    assert rest[len(rest) - len(closing) :] == closing


@pytest.mark.parametrize("module_id", MODULES)
def test_every_slide_sits_in_a_step_of_the_timing_plan(module_id):
    notes = load_facilitator_notes(module_id, ROOT)
    deck = module_deck(module_id, root=ROOT)
    assert notes is not None
    for slide in deck.slides:
        assert slide.step is not None and 0 <= slide.step < len(notes.timing), slide.title
        assert part_notes(slide, ROOT).minutes == notes.timing[slide.step].minutes
    assert deck.slides[0].step == 0


@pytest.mark.parametrize("module_id", MODULES)
def test_every_text_of_a_deck_is_on_its_page_escaped(module_id):
    deck = module_deck(module_id, root=ROOT)
    page = deck_html(deck, SERVICES)
    for slide in deck.slides:
        assert escape(" ".join(slide.title.split())) in page
        for point in slide.points:
            assert escape(" ".join(point.split())) in page
    assert page.count('class="slide ') == len(deck)
    assert page.count(" current") == 1  # one slide shows at a time


@pytest.mark.parametrize(
    "name", [*MODULES, *(f"agenda/{key}" for key in load_agendas(ROOT).formats)]
)
def test_no_deck_asks_another_host_for_anything(name):
    page = deck_html(deck_named(name, ROOT), SERVICES)
    assert "http://" not in page and "https://" not in page
    without_script = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert "//" not in without_script  # not even an address without its scheme
    for outside in ('<link rel="stylesheet"', "<img", "@import", "url(", "<iframe"):
        assert outside not in page
    assert re.findall(r'\b(?:src|href)="([^"]*)"', page) == ["data:,"]
    assert "<code" not in page and "<pre" not in page  # no code is ever shown


def test_text_that_looks_like_markup_is_shown_as_text(listen):
    evil = "<img src=x onerror=alert(1)>"
    module = listen.model_copy(
        update={"title": evil, "questions": [evil], "key_points": [evil, "Fine & well"]}
    )
    deck_slides = module_slides(module, load_facilitator_notes("05-listen", ROOT), root=ROOT)
    page = deck_html(Deck("05-listen", module.label, tuple(deck_slides)), [Service(evil, evil)])
    assert evil not in page
    assert escape(evil) in page
    assert "Fine &amp; well" in page


def test_module_00_shows_the_group_agreements_from_its_ground_rules():
    deck = module_deck("00-welcome", root=ROOT)
    agreements = next(s for s in deck.slides if s.kind == "agreements")
    assert len(agreements.points) >= 3
    assert agreements.points[0].startswith("Everything personal is optional.")
    assert all("*" not in point for point in agreements.points)  # markdown stripped
    assert kinds_of(module_deck("05-listen", root=ROOT)).count("agreements") == 0


def test_the_pair_exercise_gets_the_situations_the_notes_ask_for():
    deck = module_deck("11-forgive-with-boundaries", root=ROOT)
    kinds = kinds_of(deck)
    situations = deck.slides[kinds.index("situations")]
    assert deck.slides[kinds.index("situations") - 1].activity.kind == "pair"
    assert "A friend who is always late" in situations.points
    assert len(situations.points) >= 3


def notes_with(**changes) -> FacilitatorNotes:
    base = load_facilitator_notes("05-listen", ROOT).model_dump()
    return FacilitatorNotes.model_validate({**base, **changes})


def test_the_support_slide_goes_where_the_notes_call_for_it(listen):
    plain = listen.model_copy(update={"care_note": None})
    quiet = notes_with(care=["Nobody needs to say which ending they reached."])
    assert support_calls(plain, quiet) == (False, False)
    assert support_calls(listen, quiet) == (False, True)  # a care note: support at the end
    helpline = notes_with(care=["Point anyone who needs it to a local helpline."])
    assert support_calls(plain, helpline) == (False, True)
    start = notes_with(setup=["Show the support slide at the start and the end."])
    assert support_calls(plain, start) == (True, True)
    kinds = [s.kind for s in module_slides(plain, start, root=ROOT)]
    assert kinds[2] == "support" and kinds[-1] == "support"


def test_slides_go_to_the_step_that_names_them(listen):
    timing = [
        {"minutes": 5, "what": "Welcome everyone."},
        {"minutes": 10, "what": "The idea and its story."},
        {"minutes": 12, "what": 'Play "The mixer" on the projector.'},
        {"minutes": 7, "what": 'Run the "how-hard" scale, then the challenge and key points.'},
    ]
    slides = module_slides(listen, notes_with(timing=timing), root=ROOT)
    step = {(s.kind, s.live.id if s.live else s.title): s.step for s in slides}
    assert step[("title", listen.label)] == 0
    assert step[("story", "A story")] == 1
    assert step[("skill", listen.skill.name)] == 1  # unnamed: the step of the slide before
    assert step[("play", "the-mixer")] == 2
    assert step[("activity", "how-hard")] == 3
    assert step[("challenge", listen.challenge.title)] == 3


def test_a_play_slide_carries_its_debrief_questions_for_the_presenter():
    deck = module_deck("05-listen", root=ROOT)
    notes = load_facilitator_notes("05-listen", ROOT)
    play = next(s for s in deck.slides if s.kind == "play")
    found = part_notes(play, ROOT)
    assert found.debrief == tuple(notes.debrief.get(play.scenario.id, []))
    assert found.talking_points == tuple(notes.talking_points)
    assert not set(found.more) & set(found.debrief)


def test_a_module_without_an_idea_skill_or_drill_skips_them_cleanly():
    deck = module_deck("00-welcome", root=ROOT)
    assert not {"idea", "story", "skill", "drill", "models"} & set(kinds_of(deck))
    deck_html(deck, [])  # and still draws


def test_the_support_slide_lists_the_services_or_general_advice():
    deck = module_deck("00-welcome", root=ROOT)
    assert "support" in kinds_of(deck)
    with_services = deck_html(deck, SERVICES)
    assert "<b>Samaritans</b>: call 116 123" in with_services
    assert escape(GENERAL_SUPPORT) in deck_html(deck, [])


def test_fuller_slides_are_set_smaller_but_never_below_28_px():
    css = (ROOT / "src/rapport/outputs/slides_assets/deck.css").read_text(encoding="utf-8")
    sizes = [int(n) for n in re.findall(r"font-size: (\d+)px", css.split("@media print")[0])]
    assert min(sizes) == 28
    page = deck_html(module_deck("05-listen", root=ROOT), [])
    assert DENSE_CHARS > 0 and " dense" in page


@pytest.mark.parametrize("key", list(load_agendas(ROOT).formats))
def test_agendas_open_as_a_sequence_of_decks(key):
    plan = load_agendas(ROOT).formats[key]
    order = load_manifest(ROOT).modules
    modules = {m: load_module(m, ROOT) for m in order}
    found = sessions(plan, modules, order)
    deck = agenda_deck(key, root=ROOT)
    assert kinds_of(deck).count("session") == len(found)
    assert kinds_of(deck).count("title") == sum(1 for s in found for x in s.slots if x.module)
    slots = [x for s in found for x in s.slots if x.module is None]
    assert [(s.title, s.minutes) for s in deck.slides if s.kind == "slot"] == [
        (x.label, x.minutes) for x in slots
    ]
    parts = {i.module: i.part for i in plan.items if i.module}
    for module_id, part in parts.items():
        titles = [s for s in deck.slides if s.module == module_id and s.live is not None]
        assert bool(titles) == (part == "full" and bool(modules[module_id].activities))
    if plan.weeks:
        week = agenda_deck(key, 2, ROOT)
        assert week.slides[0].title == "Week 2" and week.name == f"agenda/{key}/2"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("99-nothing", "There is no module '99-nothing'"),
        ("agenda/weekend", "There is no agenda called 'weekend'"),
        ("agenda/series/9", "has sessions 1 to"),
        ("../etc/passwd", "is not a deck"),
        ("", "is not a deck"),
    ],
)
def test_an_unknown_deck_is_named_in_the_message(name, says):
    with pytest.raises(DeckNotFound, match=re.escape(says)):
        deck_named(name, ROOT)


def test_rapport_slides_writes_the_html_and_refuses_an_unknown_module(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert main(["slides", "05-listen", "--out", str(tmp_path / "out"), "--no-pdf"]) == 0
    said = capsys.readouterr().out
    assert f"wrote {tmp_path / 'out' / '05-listen.html'}" in said
    assert "no local support services are set" in said
    assert (
        (tmp_path / "out" / "05-listen.html")
        .read_text(encoding="utf-8")
        .startswith("<!doctype html>")
    )
    assert main(["slides", "99-nothing", "--out", str(tmp_path / "out"), "--no-pdf"]) == 1
    assert "There is no module '99-nothing'" in capsys.readouterr().err


@pytest.mark.browser
def test_a_printed_deck_has_one_page_per_slide(tmp_path, monkeypatch, capsys):
    from .test_handouts import pdf_pages, squeeze

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert main(["slides", "05-listen", "--out", str(tmp_path)]) == 0
    deck = module_deck("05-listen", root=ROOT)
    pages = pdf_pages((tmp_path / "05-listen.pdf").read_bytes())
    assert len(pages) == len(deck)
    for page, slide in zip(pages, deck.slides, strict=True):
        assert squeeze(slide.title) in squeeze(page), slide.title
