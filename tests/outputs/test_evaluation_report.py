"""The evaluation report for whoever paid for the workshop: what it says, what its CSV holds and
leaves out, and the files written by ``rapport room report``."""

import csv
import hashlib
import io
import secrets
from pathlib import Path

import pytest

from rapport.outputs import evaluation_report
from rapport.outputs.evaluation_report import (
    COLUMNS,
    report_csv,
    report_html,
    report_links,
    room_evaluation,
    write_report,
)
from rapport.room.rating import statements_for
from rapport.room.refs import ActivityRef
from rapport.store.ratings import RoomRatings
from rapport.store.rooms import Rooms

from .test_handouts import pdf_pages, squeeze

LISTEN = statements_for(["05-listen"])
FIRST, SECOND = LISTEN[0], LISTEN[1]
XSS = "<img src=x onerror=alert(1)>"


def token() -> str:
    return secrets.token_urlsafe(16)


def a_session(rooms: Rooms, pairs: int, reactions: bool = True) -> tuple[str, list[str]]:
    """A room of 05 where ``pairs`` people rate both statements at the start and the end (the
    first rising by one, the second, reverse-keyed, by one point of score), one person rates
    only at the start, and three answer the reaction form."""
    ratings = RoomRatings(rooms)
    code = ratings.open(rooms.create("05-listen").code, "start").code
    people = [token() for _ in range(pairs)]
    for n, person in enumerate(people):
        start = 2 + n % 3
        answers = {f"rating:start:{FIRST.id}": start, f"rating:start:{SECOND.id}": 6 - start}
        ratings.submit(code, person, "rating:start", answers)
    ratings.submit(code, token(), "rating:start", {f"rating:start:{FIRST.id}": 1})
    ratings.open(code, "end", looking_back=True)
    for n, person in enumerate(people):
        end = 3 + n % 3 if n else 2 + n % 3  # the first person stays where they were
        answers = {
            f"rating:end:{FIRST.id}": end,
            f"rating:end:{SECOND.id}": 6 - end,
            f"rating:back:{FIRST.id}": end - 1,
        }
        ratings.submit(code, person, "rating:end", answers)
    if reactions:
        ratings.open(code, "reaction")
        for useful, tried, word in [
            (5, XSS, "Calm"),
            (4, "Ask more", "calm"),
            (3, "Breathe first", "Warm"),
        ]:
            answers = {
                "rating:reaction:useful": useful,
                "rating:reaction:try": tried,
                "rating:reaction:word": word,
            }
            ratings.submit(code, people[useful - 3], "rating:reaction", answers)
    return code, people


@pytest.fixture
def rooms(store):
    return Rooms(store)


def test_the_report_says_plainly_these_are_self_reports(rooms):
    code, _ = a_session(rooms, pairs=6)
    page = report_html(room_evaluation(rooms, code))
    for words in (
        "These are self-reports",
        "A change on the day is not a change in behaviour",
        "The group is small",
        "There was no control group",
        "Howard et al., 1979",
        "Lakens, D. (2013)",
    ):
        assert words in page, words
    assert "95% CI" in page and FIRST.text in page
    assert "Looking back" in page and "(reversed)" in page
    assert "7 people rated themselves at the start and 6 at the end" in page


def test_fewer_than_five_pairs_say_how_many_more_are_needed(rooms):
    code, _ = a_session(rooms, pairs=3, reactions=False)
    page = report_html(room_evaluation(rooms, code))
    assert "3 answered both times; 2 more needed" in page and "95% CI" not in page
    assert "The reaction form was not used in this room." in page


def test_participant_text_is_escaped(rooms):
    code, _ = a_session(rooms, pairs=5)
    page = report_html(room_evaluation(rooms, code))
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_csv_has_one_anonymous_row_per_answer(rooms):
    code, people = a_session(rooms, pairs=5)
    ev = room_evaluation(rooms, code)
    text = report_csv(ev)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == len(ev.ratings)
    for secret in people + [hashlib.sha256(p.encode()).hexdigest() for p in people]:
        assert secret not in text
    rated = [r for r in rows if r["moment"] != "reaction"]
    assert {r["person"] for r in rated} == {str(n) for n in range(1, 7)}
    assert all(r["person"] == "" for r in rows if r["moment"] == "reaction")
    reversed_rows = [r for r in rated if r["question_id"] == SECOND.id]
    assert all(int(r["score"]) == 6 - int(r["answer"]) for r in reversed_rows)
    # Reaction answers are sorted within each question, so they cannot be lined up by person.
    words = [r["answer"] for r in rows if r["question_id"] == "word"]
    assert words == sorted(words, key=str.casefold)
    assert "answered_at" not in text and "T0" not in text  # no times
    # The same room numbers its people the same way twice.
    assert report_csv(room_evaluation(rooms, code)) == text


def test_the_report_and_its_csv_are_written_and_linked(rooms, tmp_path, monkeypatch):
    code, _ = a_session(rooms, pairs=5)
    monkeypatch.setattr(evaluation_report, "chromium_path", lambda: None)
    written = write_report(rooms, code, tmp_path / "out")
    assert [p.name for p in written] == [f"evaluation-{code}.html", f"evaluation-{code}.csv"]
    links = report_links(rooms, code)
    assert f'download="evaluation-{code}.csv"' in links and "needs Chromium" in links


def test_room_report_on_the_command_line(tmp_path, monkeypatch, capsys):
    from rapport.cli import main
    from rapport.store.database import get_store

    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'rooms.sqlite3'}")
    monkeypatch.setattr(evaluation_report, "chromium_path", lambda: None)
    code, _ = a_session(Rooms(get_store()), pairs=5)
    out = tmp_path / "for-the-funder"
    assert main(["room", "report", code.lower(), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"evaluation-{code}.html" in said and "no PDF" in said
    assert (out / f"evaluation-{code}.csv").exists()
    assert main(["room", "report", "AAA-AAA", "--out", str(out)]) == 1
    assert "No room has the code AAA-AAA" in capsys.readouterr().err


@pytest.mark.browser
def test_the_report_prints_to_pdf(rooms, tmp_path: Path):
    code, _ = a_session(rooms, pairs=5)
    written = write_report(rooms, code, tmp_path, pdf=True)
    pdf = written[-1]
    assert pdf.suffix == ".pdf"
    text = squeeze("".join(pdf_pages(pdf.read_bytes())))
    assert squeeze("These are self-reports") in text
    assert squeeze("There was no control group") in text


def test_an_unused_room_makes_a_report_that_says_so(rooms):
    code = rooms.create("05-listen").code
    ev = room_evaluation(rooms, code)
    assert ev.changes == [] or all(c.change.pairs == 0 for c in ev.changes)
    page = report_html(ev)
    assert "0 people rated themselves at the start" in page
    assert report_csv(ev).strip() == ",".join(COLUMNS)
    assert ActivityRef.rating_prefix() not in page
