"""The evaluation report: what a room's self-ratings and reactions showed, written for whoever
paid for the workshop, as a page to print (HTML, and PDF with Chromium) and a CSV of its rows.

It says plainly what the figures are: self-reports from a small group with no control group,
so a change on the day is not a change in behaviour. The CSV has one row per answer and no
token or participant id. Self-ratings carry a person number given within the report alone (the
order of the participants' hashes, so the same room gives the same numbers), which is what
pairing a start rating with the same person's end rating needs; reaction answers carry none,
and are sorted within each question, so what someone wrote cannot be joined to their ratings.
No times are written.
"""

from __future__ import annotations

import base64
import csv
import io
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

from rapport.content.loading import load_module
from rapport.course.scoring import item_score
from rapport.outputs.handouts import chromium_path, html_to_pdf
from rapport.render.evaluation import SELF_REPORT, changes_table_html, reactions_html
from rapport.render.html import CSS
from rapport.room.evaluation import MIN_PAIRS
from rapport.room.model import Room
from rapport.room.rating import (
    REACTION,
    ItemChange,
    Rating,
    Reactions,
    changes,
    rating_set,
    reactions,
)
from rapport.room.refs import ActivityRef
from rapport.room.tally import MIN_TO_REVEAL
from rapport.store.ratings import RoomRatings
from rapport.store.rooms import Rooms

COLUMNS = ["room", "moment", "question_id", "question", "reversed", "answer", "score", "person"]
MOMENT = {"start": "start", "end": "end", "back": "looking back", "reaction": "reaction"}
REFERENCES = (
    "Hill, L. G., &amp; Betz, D. L. (2005). Revisiting the retrospective pretest. "
    "<i>American Journal of Evaluation</i>, 26(4), 501\u2013517.",
    "Howard, G. S., et al. (1979). Internal invalidity in pretest\u2013posttest self-report "
    "evaluations and a re-evaluation of retrospective pretests. <i>Applied Psychological "
    "Measurement</i>, 3(1), 1\u201323.",
    "Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative "
    "science: a practical primer for t-tests and ANOVAs. <i>Frontiers in Psychology</i>, 4, 863.",
)
PRINT_CSS = """
<style>
@page { size: A4; margin: 16mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937;
  max-width: 820px; margin: 24px auto; padding: 0 16px; line-height: 1.5; }
h1 { font-size: 1.6em; margin-bottom: 0; }
h2 { font-size: 1.2em; margin: 20px 0 6px 0; }
h3 { font-size: 1.05em; margin: 12px 0 4px 0; }
section { margin: 16px 0; }
.read-first { border: 2px solid #1f2937; border-radius: 6px; padding: 4px 14px; }
.rp-change td, .rp-change th { vertical-align: top; }
.rp-change caption { caption-side: top; }
tr, li { break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
</style>
"""


@dataclass(frozen=True)
class RoomEvaluation:
    """Everything the report says about one room, worked out once."""

    room: Room
    modules: tuple[str, ...]  # the labels of the modules the statements come from
    changes: list[ItemChange]
    reactions: Reactions
    ratings: list[Rating]
    people: dict[str, int]  # how many answered: start, end, reaction

    @property
    def looking_back(self) -> bool:
        return any(c.looked_back is not None for c in self.changes)


def room_evaluation(rooms: Rooms, code: str) -> RoomEvaluation:
    """The room's ratings and reactions, paired and worked out."""
    room = rooms.get(code)
    ratings = RoomRatings(rooms).ratings(room.code)
    items = rating_set(ActivityRef.rating("start"), room.state).items
    modules = dict.fromkeys(item.module for item in items) or {room.module: None}
    people = {
        m: len({r.who for r in ratings if r.ref.id == m}) for m in ("start", "end", "reaction")
    }
    return RoomEvaluation(
        room,
        tuple(load_module(m).label for m in modules),
        changes(ratings, items),
        reactions(ratings),
        ratings,
        people,
    )


# -- the page -------------------------------------------------------------------------------
def _read_first() -> str:
    return (
        '<section class="read-first" aria-labelledby="read-first"><h2 id="read-first">Read '
        f"this first</h2><p><b>{SELF_REPORT}</b> People rated how they see themselves, on "
        "statements about how they connect with others. Nobody was observed and nothing was "
        "tested: a higher rating at the end says people felt more confident on the day, and "
        "may not last.</p>"
        "<p><b>The group is small.</b> With a handful of people one person's answers move the "
        "average, so every change comes with a 95% confidence interval: the range of changes "
        "these answers are consistent with. An interval that includes zero means the data "
        "cannot tell a change from no change. A change is worked out only for statements that "
        f"at least {MIN_PAIRS} people rated at both the start and the end, so that no one "
        "person's answers can be made out.</p>"
        "<p><b>There was no control group.</b> Nobody who missed the workshop was asked at "
        "the same times, so a change cannot be put down to the workshop alone. People also "
        "tend to rate themselves higher at the end of a warm day together, and may answer as "
        "they think the facilitator hopes.</p>"
        "<p><b>The statements are the course's own.</b> They come from Rapport's "
        "self-assessment, written for the course as a reflection aid. It is not a validated "
        "questionnaire, so its ratings cannot be compared with published norms or with other "
        "studies.</p>"
        "<p><b>Answers were anonymous and voluntary.</b> Each person's start and end ratings "
        "were joined through a random code their browser carried, never a name.</p></section>"
    )


def _ratings_section(ev: RoomEvaluation) -> str:
    people = ev.people
    head = (
        f"<p>{people['start']} people rated themselves at the start and {people['end']} at "
        "the end, each on the same statements, from 1 (strongly disagree) to 5 (strongly "
        "agree).</p>"
    )
    if not ev.changes or not (people["start"] or people["end"]):
        return f"<section><h2>How people rated themselves</h2>{head}</section>"
    back = ""
    if ev.looking_back:
        back = (
            "<h3>Looking back</h3><p>At the end people also rated each statement as they now "
            "think they would have rated it before the session. During a session people can "
            "learn what a statement really asks and rate themselves more strictly at the end, "
            "which hides a change; comparing their end rating with this look back sidesteps "
            "that <i>response shift</i> (Howard et al., 1979). Looking back has a bias of its "
            "own: people tend to remember their earlier selves as worse than they were, which "
            "can make a change look bigger (Hill &amp; Betz, 2005). Read the two together.</p>"
            + changes_table_html(ev.changes, looking_back=True)
        )
    return (
        f"<section><h2>How people rated themselves</h2>{head}"
        f"{changes_table_html(ev.changes)}{back}</section>"
    )


def _method() -> str:
    refs = "".join(f"<li>{ref}</li>" for ref in REFERENCES)
    return (
        "<section><h2>How the figures were worked out</h2><p>Statements marked "
        "<i>reversed</i> are worded so that agreeing is the less helpful answer; their ratings "
        "are flipped (6 minus the rating) before anything is worked out, so a rise always "
        "reads as a gain. For each statement, each person's start rating is paired with their "
        "own end rating; people who rated it only once are left out of its change. The change "
        "is the mean of the paired differences, with a 95% confidence interval from Student's "
        "t distribution. Hedges' g for paired data (g<sub>z</sub>) is the mean change divided "
        "by the standard deviation of the changes, corrected for small groups (Lakens, 2013). "
        "Cohen's rough benchmarks (0.2 small, 0.5 medium, 0.8 large) are only a loose guide, "
        "and in a small group g moves a lot from one person to the next. Reaction answers are "
        f"shown only for questions that at least {MIN_TO_REVEAL} people answered.</p>"
        "<h3>The data</h3><p>The CSV file beside this report has one row per answer. A "
        "self-rating's <i>person</i> is a number given within this report alone, so that a "
        "start rating can be paired with the same person's end rating; it is linked to no "
        "name. Reaction answers carry no person number and are sorted within each question, "
        "so what someone wrote cannot be joined to their ratings. No times are included.</p>"
        f'<h3>References</h3><ul class="rp-sources">{refs}</ul></section>'
    )


def report_html(ev: RoomEvaluation) -> str:
    """The report as one self-contained page (inline styles, nothing fetched), to print."""
    room = ev.room
    labels = escape(", ".join(ev.modules))
    when = room.created_at.strftime("%d %B %Y")
    reaction = reactions_html(ev.reactions) if ev.people["reaction"] else (
        "<p>The reaction form was not used in this room.</p>"
    )  # fmt: skip
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Evaluation of room {room.code}: {labels}</title>{CSS}{PRINT_CSS}</head>"
        f"<body><main><h1>What changed in the room</h1>"
        f'<p class="rp-meta">{labels} · room {room.code} · {when} · Rapport, a workshop on '
        f"real connection</p>{_read_first()}{_ratings_section(ev)}"
        f"<section><h2>The one-minute reaction</h2>{reaction}</section>{_method()}"
        "</main></body></html>"
    )


# -- the rows -------------------------------------------------------------------------------
def report_rows(ev: RoomEvaluation) -> list[dict[str, str]]:
    """One row per answer, anonymous: see this module's docstring for what is left out."""
    items = {c.item.id: c.item for c in ev.changes}
    order = {item_id: n for n, item_id in enumerate(items)}
    person = {who: n for n, who in enumerate(sorted({r.who for r in ev.ratings}), start=1)}
    rows = []
    rated = [r for r in ev.ratings if r.ref.id in ("start", "end", "back") and r.ref.item in items]
    moments = list(MOMENT)
    rated.sort(key=lambda r: (person[r.who], order[r.ref.item], moments.index(r.ref.id)))
    for rating in rated:
        item = items[rating.ref.item]
        rows.append(
            {
                "room": ev.room.code,
                "moment": MOMENT[rating.ref.id],
                "question_id": item.id,
                "question": item.text,
                "reversed": "yes" if item.reverse else "no",
                "answer": rating.value,
                "score": str(item_score(item, int(rating.value))),
                "person": str(person[rating.who]),
            }
        )
    answers = {
        "useful": sorted(ev.reactions.useful),
        "try": sorted(ev.reactions.tries, key=str.casefold),
        "word": sorted(ev.reactions.words, key=str.casefold),
    }
    for question in REACTION:
        for value in answers[question.id]:
            rows.append(
                {
                    "room": ev.room.code,
                    "moment": "reaction",
                    "question_id": question.id,
                    "question": question.prompt,
                    "reversed": "",
                    "answer": str(value),
                    "score": "",
                    "person": "",
                }
            )
    return rows


def report_csv(ev: RoomEvaluation) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(ev))
    return out.getvalue()


# -- files, links and the command ---------------------------------------------------------
def write_report(rooms: Rooms, code: str, out: Path, pdf: bool | None = None) -> list[Path]:
    """Write ``evaluation-CODE.html`` and ``.csv`` into ``out``, and the PDF beside them when
    ``pdf`` is True (or None and Chromium is installed). Returns the paths written."""
    ev = room_evaluation(rooms, code)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"evaluation-{ev.room.code}"
    page, table = out / f"{stem}.html", out / f"{stem}.csv"
    page.write_text(report_html(ev), encoding="utf-8")
    table.write_text(report_csv(ev), encoding="utf-8")
    written = [page, table]
    if pdf or (pdf is None and chromium_path() is not None):
        written.append(html_to_pdf(page, out / f"{stem}.pdf"))
    return written


def _link(name: str, mime: str, data: bytes, label: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<a download="{name}" href="data:{mime};base64,{encoded}">{label}</a>'


def report_links(rooms: Rooms, code: str) -> str:
    """Links that download the report (HTML, PDF when Chromium prints it) and its CSV, carried
    in the page itself: nothing is kept on the server."""
    ev = room_evaluation(rooms, code)
    stem = f"evaluation-{ev.room.code}"
    page = report_html(ev)
    rows = report_rows(ev)
    links = [
        _link(f"{stem}.html", "text/html;charset=utf-8", page.encode(), "the report (HTML)"),
        _link(
            f"{stem}.csv",
            "text/csv;charset=utf-8",
            report_csv(ev).encode(),
            f"its data (CSV, {len(rows)} rows, anonymous)",
        ),
    ]
    note = ""
    if chromium_path() is None:
        note = " The PDF needs Chromium on the server; print the HTML page instead."
    else:
        try:
            with tempfile.TemporaryDirectory(prefix="rapport-report-") as folder:
                html = Path(folder) / f"{stem}.html"
                html.write_text(page, encoding="utf-8")
                pdf = html_to_pdf(html, Path(folder) / f"{stem}.pdf").read_bytes()
            links.insert(1, _link(f"{stem}.pdf", "application/pdf", pdf, "the report (PDF)"))
        except RuntimeError as err:
            note = f" The PDF could not be printed ({escape(str(err))}); print the HTML instead."
    return f'<p class="rp-meta">Download {" · ".join(links)}.{note}</p>'


def report_command(rooms: Rooms, code: str, out: Path) -> int:
    """``rapport room report CODE --out DIR``: write the report and say what was written."""
    try:
        written = write_report(rooms, code, out)
    except RuntimeError as err:  # Chromium failed; the HTML and CSV are written by then
        print(f"{err}\nThe HTML page and the CSV are in {out}; print the page instead.")
        return 1
    for path in written:
        print(f"wrote {path}")
    if not any(path.suffix == ".pdf" for path in written):
        print("no PDF: Chromium is not installed; print the HTML page instead")
    return 0
