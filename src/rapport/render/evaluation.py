"""The room's own evaluation as safe HTML: the rating form's opening words, each statement's
change with its interval and Hedges' g (or how many more people are needed), and the
one-minute reaction. Shared by the dashboard and the evaluation report.
"""

from __future__ import annotations

from collections import Counter

from rapport.render.html import inline
from rapport.room.evaluation import MIN_PAIRS, Change
from rapport.room.rating import LOOKING_BACK, TITLES, ItemChange, RatingSet, Reactions
from rapport.room.tally import MIN_TO_REVEAL, fold_word

ANONYMOUS = (
    "Anonymous: nobody sees your own answers, the facilitator included. The room sees only "
    f"how its ratings changed, once at least {MIN_PAIRS} people have answered at the start "
    "and at the end."
)
SELF_REPORT = (
    "These are self-reports: how people rated themselves, not what they can do or will do. "
    "A change on the day is not a change in behaviour."
)
REVERSED = "reversed"  # the mark on a reverse-keyed statement


def form_intro_html(rating: RatingSet) -> str:
    """What a participant reads above a rating form."""
    if rating.which == "reaction":
        what = "Three quick questions about today. Answer any you like; all are anonymous."
        return f'<div class="rp-card"><h2>{TITLES["reaction"]}</h2><p>{what}</p></div>'
    how = (
        "Rate each statement as things usually are for you, from "
        f"{inline(rating.scale[0].lower())} to {inline(rating.scale[-1].lower())}. There are no "
        "right answers, and you can leave out any statement."
    )
    back = (
        f"<p><b>{LOOKING_BACK}</b> Rate each statement twice: as you are now, and as you would "
        "have rated yourself this morning, knowing what you know now.</p>"
        if rating.looking_back
        else ""
    )
    return (
        f'<div class="rp-card"><h2>{TITLES[rating.which]}</h2><p>{how}</p>{back}'
        f'<p class="rp-meta">{ANONYMOUS}</p></div>'
    )


def signed(value: float) -> str:
    """A change with its sign and two decimals, with a true minus sign."""
    return f"{value:+.2f}".replace("-", "\u2212")


NOWRAP = ' style="white-space: nowrap"'  # short figures and headings stay on one line


def change_cells(result: Change) -> str:
    """Table cells for one change: the mean change and interval, and g; or what is missing."""
    if not result.enough:
        more = result.needed
        return (
            f'<td colspan="2">{result.pairs} answered both times; {more} more needed before '
            "the change shows</td>"
        )
    assert result.mean_change is not None and result.low is not None and result.high is not None
    g = signed(result.hedges_g) if result.hedges_g is not None else "none (all changed alike)"
    return (
        f"<td><b{NOWRAP}>{signed(result.mean_change)}</b> "
        f"<span{NOWRAP}>(95% CI {signed(result.low)}</span> "
        f"<span{NOWRAP}>to {signed(result.high)})</span></td><td{NOWRAP}>{g}</td>"
    )


def _statement(change: ItemChange) -> str:
    mark = f' <span class="rp-note">({REVERSED})</span>' if change.item.reverse else ""
    return f'<th scope="row">{inline(change.item.text)}{mark}</th>'


def changes_table_html(changes: list[ItemChange], looking_back: bool = False) -> str:
    """Each statement's change, from the start to the end (or from looking back to the end)."""
    if looking_back:
        caption = "From looking back (asked at the end) to the end, per statement"
        first = "back"
    else:
        caption = "From the start to the end of the session, per statement"
        first = "start"
    head = (
        f'<tr><th scope="col">Statement</th><th scope="col"{NOWRAP}>Rated: {first} · end</th>'
        '<th scope="col">Change: mean (95% interval)</th>'
        f'<th scope="col"{NOWRAP}>Hedges\u2019 g</th></tr>'
    )
    rows = []
    for change in changes:
        result = change.looked_back if looking_back else change.change
        if result is None:
            continue
        before = change.backed if looking_back else change.started
        rows.append(
            f"<tr>{_statement(change)}<td{NOWRAP}>{before} · {change.ended}</td>"
            f"{change_cells(result)}</tr>"
        )
    return (
        f'<table class="rp-scores rp-change"><caption>{caption}. Ratings from 1 to 5; '
        f"reversed statements are flipped, so a rise is always a gain.</caption>"
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def reactions_html(reactions: Reactions, level: int = 3) -> str:
    """The one-minute reaction: each question once enough people answered it."""
    parts = []
    useful = reactions.useful
    if len(useful) >= MIN_TO_REVEAL:
        counts = Counter(useful)
        spread = ", ".join(f"{n}: {counts.get(n, 0)}" for n in range(1, 6))
        mean = sum(useful) / len(useful)
        parts.append(
            f"<p>Was it useful? Average <b>{mean:.1f} of 5</b> from {len(useful)} answers "
            f'<span class="rp-note">({spread})</span></p>'
        )
    if len(reactions.tries) >= MIN_TO_REVEAL:
        items = "".join(f"<li>{inline(text)}</li>" for text in reactions.tries)
        parts.append(f'<h{level}>What people will try</h{level}><ul class="rp-texts">{items}</ul>')
    if len(reactions.words) >= MIN_TO_REVEAL:
        ranked = Counter(fold_word(word) for word in reactions.words).most_common()
        words = "".join(
            f"<li>{inline(word)}{f' ({n})' if n > 1 else ''}</li>" for word, n in ranked
        )
        parts.append(f'<h{level}>Today in one word</h{level}><ul class="rp-words">{words}</ul>')
    answered = max(len(reactions.useful), len(reactions.tries), len(reactions.words))
    if not parts:
        return (
            f'<p class="rp-note">{answered} answered the reaction form so far; each question '
            f"shows once {MIN_TO_REVEAL} people have answered it.</p>"
        )
    return "".join(parts)


def evaluation_html(
    changes: list[ItemChange], reactions: Reactions, asked: dict[str, int], looking_back: bool
) -> str:
    """The dashboard's evaluation view: the change per statement, then the reaction."""
    if not changes and not asked:
        return (
            '<p class="rp-note">No rating yet. Open the start rating when the session begins, '
            "and the end rating before it ends.</p>"
        )
    parts = [
        f'<p class="rp-meta" role="status"><b>{asked.get("start", 0)}</b> rated at the start · '
        f"<b>{asked.get('end', 0)}</b> at the end · <b>{asked.get('reaction', 0)}</b> answered "
        "the reaction form</p>"
    ]
    if changes:
        parts.append(changes_table_html(changes))
        if looking_back:
            parts.append(changes_table_html(changes, looking_back=True))
    if asked.get("reaction"):
        parts.append(reactions_html(reactions))
    parts.append(f'<p class="rp-note">{SELF_REPORT}</p>')
    return "".join(parts)
