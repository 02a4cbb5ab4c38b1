"""The room's results as safe HTML: bars for polls and scales, ranked words, anonymous texts.

Everything participants typed goes through :func:`html.escape`; nothing they send is ever
markup. The same views serve the projector (large) and a participant's phone.
"""

from __future__ import annotations

from rapport.render.html import inline, text
from rapport.room.tally import MIN_TO_REVEAL, Tally

# What each kind of group activity is called on the facilitator's screens.
KIND_NAME = {
    "poll": "Poll",
    "scale": "Scale",
    "word": "One word",
    "text": "Open question",
    "pair": "Pair",
    "rating": "Evaluation",  # the room's own: self-ratings and the reaction form
}


def _bar(label: str, count: int, most: int, total: int) -> str:
    pct = round(100 * count / most) if most else 0
    share = f"{round(100 * count / total)}%" if total else "0%"
    return (
        f'<tr><th scope="row">{label}</th>'
        f'<td class="rp-res-bar"><span class="rp-bar rp-bar-wide" aria-hidden="true">'
        f'<span class="rp-bar-fill rp-bar-1" style="width:{pct}%"></span></span></td>'
        f'<td class="rp-res-n">{count} <span class="rp-note">({share})</span></td></tr>'
    )


def waiting_html(count: int) -> str:
    """What shows while too few people answered for anyone's answer to stay anonymous."""
    more = MIN_TO_REVEAL - count
    return (
        f'<p class="rp-note" role="status">{count} answer{"s" if count != 1 else ""} so far. '
        f"Results show once at least {MIN_TO_REVEAL} people have answered "
        f"({more} more), so that nobody's answer can be singled out.</p>"
    )


def results_html(result: Tally, prompt: str, low: str = "", high: str = "") -> str:
    """The tally as a captioned table (polls, scales), a ranked word list or a text list."""
    if not result.revealable:
        return waiting_html(result.count)
    caption = f"<caption>{inline(prompt)} ({result.count} answers)</caption>"
    if result.kind == "poll":
        votes = result.table["votes"].tolist()
        rows = "".join(
            _bar(inline(option), n, max(votes), result.count)
            for option, n in zip(result.table["option"], votes, strict=True)
        )
        return f'<table class="rp-results">{caption}{rows}</table>'
    if result.kind == "scale":
        counts = result.table["count"].tolist()
        names = {1: low, 5: high}
        rows = "".join(
            _bar(
                f"{value}"
                + (
                    f' <span class="rp-note">{inline(names[value])}</span>'
                    if names.get(value)
                    else ""
                ),
                n,
                max(counts),
                result.count,
            )
            for value, n in zip(result.table["value"], counts, strict=True)
        )
        mean = f'<p class="rp-mean">Average: <b>{result.mean:.1f}</b> of 5</p>'
        return f'<table class="rp-results">{caption}{rows}</table>{mean}'
    if result.kind == "word":
        top = int(result.table["count"].max())
        words = "".join(
            f'<li style="font-size:{1 + 1.2 * (n - 1) / max(top - 1, 1):.2f}em">'
            f'{inline(word)} <span class="rp-note">×{n}</span></li>'
            for word, n in zip(result.table["word"], result.table["count"], strict=True)
        )
        return (
            f'<p class="rp-meta">{inline(prompt)} ({result.count} answers, most common first)</p>'
            f'<ol class="rp-words">{words}</ol>'
        )
    items = "".join(f'<li class="rp-text-answer">{text(t)}</li>' for t in result.texts)
    return (
        f'<p class="rp-meta">{inline(prompt)} ({result.count} answers)</p>'
        f'<ul class="rp-texts">{items}</ul>'
    )
