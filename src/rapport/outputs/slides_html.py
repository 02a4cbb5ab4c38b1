"""A deck as HTML: every slide drawn with the course's render helpers, all text escaped, on one
self-contained page (its style and navigation script inline, nothing fetched from anywhere)
that shows one slide at a time on screen and prints one slide a page.

Slides are laid out at 1280x720 and scaled to the window; body text is at least 28 px.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from rapport.outputs.handouts import html_to_pdf
from rapport.outputs.slides import Deck, Slide, module_deck
from rapport.render.html import CSS, inline, text
from rapport.render.results import KIND_NAME
from rapport.render.scenario import SETTING
from rapport.render.skill import drill_html, stems_html
from rapport.store.support import Service

ASSETS = Path(__file__).resolve().parent / "slides_assets"
# A slide with more words than this is set in the smaller body size (28 px instead of 34 px),
# so that it still fits on its 1280x720 page.
DENSE_CHARS = 380
GENERAL_SUPPORT = (
    "If anything today brings up more than a workshop can hold, talk to someone you trust, "
    "your doctor or a counsellor, or call a local helpline. Ask the facilitator where to find "
    "one near you."
)
EMERGENCY = "If you or someone else is in danger now, call the local emergency number."
ANONYMOUS = "Answer on your phone. Answers are anonymous."


def asset(name: str) -> str:
    """One of the deck's own files (``deck.css``, ``deck.js``), as text."""
    return (ASSETS / name).read_text(encoding="utf-8")


def _points(items: tuple[str, ...], ordered: bool = False, css: str = "points") -> str:
    tag = "ol" if ordered else "ul"
    rows = "".join(f"<li>{inline(item)}</li>" for item in items)
    return f'<{tag} class="{css}">{rows}</{tag}>'


def _eyebrow(words: str) -> str:
    return f'<p class="eyebrow">{inline(words)}</p>'


def _size(slide: Slide) -> int:
    """How many characters of text a slide carries (to pick its type size)."""
    parts = [slide.title, slide.text, *slide.points]
    if slide.example:
        parts += [slide.example.situation, slide.example.weak, slide.example.strong]
    if slide.drill:
        parts += [slide.drill.situation, *(m.text for m in slide.drill.models)]
    if slide.activity is not None:
        parts += getattr(slide.activity, "options", None) or []
        parts += getattr(slide.activity, "instructions", None) or []
    if slide.scenario is not None:
        parts += [slide.scenario.intro, slide.scenario.character.about]
    return sum(len(p) for p in parts)


def _services(services: list[Service]) -> str:
    if not services:
        return text(GENERAL_SUPPORT) + f'<p class="emergency">{inline(EMERGENCY)}</p>'
    rows = "".join(f"<li><b>{inline(s.name)}</b>: {inline(s.contact)}</li>" for s in services)
    return f'<ul class="services">{rows}</ul><p class="emergency">{inline(EMERGENCY)}</p>'


def _activity(slide: Slide) -> str:
    activity = slide.activity
    kind = activity.kind
    if kind == "poll":
        body = _points(tuple(activity.options), ordered=True, css="options")
    elif kind == "scale":
        body = (
            '<p class="scale"><span>1</span> '
            f"{inline(activity.low)} … <span>5</span> {inline(activity.high)}</p>"
        )
    elif kind == "pair":
        body = _points(tuple(activity.instructions), ordered=True, css="steps")
        body += f'<p class="meta">{activity.minutes} minutes, then swap if the steps say so.</p>'
    else:
        body = ""
    note = "" if kind == "pair" else f'<p class="meta">{inline(ANONYMOUS)}</p>'
    return body + note


def _example(slide: Slide) -> str:
    example = slide.example
    return (
        f'<p class="meta">{inline(example.situation)}</p><div class="rp-compare">'
        f'<div class="rp-weak"><p class="rp-label">A weaker version</p>{text(example.weak)}</div>'
        f'<div class="rp-strong"><p class="rp-label">A stronger version</p>'
        f"{text(example.strong)}</div></div>"
    )


def _play(slide: Slide) -> str:
    scenario = slide.scenario
    who = scenario.character
    age = f", {who.age}" if who.age else ""
    return (
        f'<p class="meta">{SETTING[scenario.setting]} · {inline(who.name)}{age}: '
        f"{inline(who.about)}</p>{text(scenario.intro)}"
        '<p class="meta">The room votes at each decision, on their phones.</p>'
    )


def body_html(slide: Slide, services: list[Service], level: int = 1) -> str:
    """What a slide shows (its heading at ``level``), without its frame."""
    h = f"h{level}"
    title = f"<{h}>{inline(slide.title)}</{h}>"
    kind = slide.kind
    if kind == "title":
        return f'{_eyebrow(slide.text)}<{h} class="big">{inline(slide.title)}</{h}>'
    if kind == "session":
        minutes = f"{slide.minutes} minutes in all" if slide.minutes else ""
        return f"{_eyebrow(minutes)}{title}{_points(slide.points, css='times')}"
    if kind == "slot":
        return f'<{h} class="big">{inline(slide.title)}</{h}><p>{slide.minutes} minutes</p>'
    if kind == "support":
        return title + _services(services)
    if kind in ("questions", "idea", "key-points", "situations"):
        return title + _points(slide.points)
    if kind in ("agreements", "steps"):
        return title + _points(slide.points, ordered=True)
    if kind == "story":
        return f'{title}<div class="story">{text(slide.text)}</div>'
    if kind == "skill":
        return f"{_eyebrow('The skill')}{title}{text(slide.text)}"
    if kind == "stems":
        return title + stems_html(list(slide.points))
    if kind == "example":
        return title + _example(slide)
    if kind == "drill":
        return drill_html(slide.drill, level)
    if kind == "models":
        rows = "".join(
            f'<li><p class="rp-label">{inline(m.label)}</p>{text(m.text)}</li>'
            for m in slide.drill.models
        )
        return f'{title}<ol class="models">{rows}</ol>'
    if kind == "activity":
        return f"{_eyebrow(KIND_NAME[slide.activity.kind])}{title}{_activity(slide)}"
    if kind == "play":
        return f"{_eyebrow('Role-play')}{title}{_play(slide)}"
    if kind == "challenge":
        return f"{_eyebrow('Practice this week')}{title}{text(slide.text)}"
    raise ValueError(f"no drawing for a slide of kind {kind!r}")


def slide_html(
    slide: Slide,
    number: int,
    total: int,
    services: list[Service],
    level: int = 1,
    live: str = "",
    current: bool = False,
) -> str:
    """One slide as a ``<section>``: its body, and ``live`` (what the room does now) under it."""
    dense = " dense" if _size(slide) > DENSE_CHARS else ""
    shown = " current" if current else ""
    attrs = f' data-live="{escape(str(slide.live))}"' if slide.live else ""
    extra = f'<div class="live">{live}</div>' if live else ""
    return (
        f'<section class="slide slide-{slide.kind}{dense}{shown}" data-kind="{slide.kind}"'
        f'{attrs} aria-roledescription="slide" '
        f'aria-label="{number} of {total}: {inline(slide.title)}">'
        f'<div class="slide-body">{body_html(slide, services, level)}{extra}</div></section>'
    )


def slides_html(deck: Deck, services: list[Service], level: int = 1) -> str:
    """Every slide of the deck, the first one current."""
    total = len(deck)
    return "".join(
        slide_html(slide, n, total, services, level, current=n == 1)
        for n, slide in enumerate(deck.slides, start=1)
    )


def page_html(title: str, body: str, head: str = "", body_class: str = "") -> str:
    """A complete page with the course's and the deck's styles inline."""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # no icon to ask for
        f"<title>{inline(title)}</title>\n{CSS}<style>{asset('deck.css')}</style>\n{head}"
        f'</head>\n<body class="{body_class}">\n{body}\n</body>\n</html>\n'
    )


def deck_html(deck: Deck, services: list[Service]) -> str:
    """The deck on one self-contained page: one slide at a time, keyboard to move, printable
    one slide a page."""
    nav = (
        '<nav class="deck-nav" aria-label="Slides">'
        '<button type="button" class="deck-prev" aria-label="Previous slide">‹</button>'
        f'<span class="deck-where" role="status">1 / {len(deck)}</span>'
        '<button type="button" class="deck-next" aria-label="Next slide">›</button></nav>'
    )
    body = (
        f'<main class="deck-window" aria-label="{inline(deck.title)}">'
        f'<div class="deck-stage">{slides_html(deck, services)}</div></main>{nav}'
        f"<script>{asset('deck.js')}</script>"
    )
    return page_html(deck.title, body, body_class="deck-page")


def write_slides(
    module_id: str, out: Path, services: list[Service], pdf: bool = True, root: Path | None = None
) -> list[Path]:
    """Write ``NN-slug.html`` (and, with ``pdf``, ``NN-slug.pdf``, one slide a page) into
    ``out``; return the paths written."""
    deck = module_deck(module_id, root=root)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"{deck.name}.html"
    page.write_text(deck_html(deck, services), encoding="utf-8")
    if not pdf:
        return [page]
    return [page, html_to_pdf(page, page.with_suffix(".pdf"))]
