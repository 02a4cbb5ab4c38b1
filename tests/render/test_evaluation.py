"""The room's own evaluation as HTML: signed figures, what a short room is told, the reaction
shown only once enough people answered, and participant text escaped."""

from rapport.content.loading import load_assessment
from rapport.render.evaluation import change_cells, changes_table_html, reactions_html, signed
from rapport.room.evaluation import change
from rapport.room.rating import ItemChange, Reactions

ITEM = load_assessment().items[0]


def test_changes_carry_their_sign_with_a_true_minus():
    assert (signed(0.8), signed(-0.8), signed(0.0)) == ("+0.80", "\u22120.80", "+0.00")


def test_a_short_room_is_told_how_many_more_and_a_flat_one_has_no_g():
    assert "2 answered both times; 3 more needed" in change_cells(change([(1, 2), (2, 3)]))
    flat = change_cells(change([(2, 3)] * 5))
    assert "+1.00" in flat and "none (all changed alike)" in flat


def test_a_table_row_per_statement_with_its_people():
    row = ItemChange(
        ITEM, started=6, ended=5, change=change([(2, 3), (3, 4), (2, 4), (4, 4), (3, 3)])
    )
    table = changes_table_html([row])
    assert ITEM.text in table and "6 · 5" in table and "95% CI" in table
    assert changes_table_html([row], looking_back=True).count("<tr>") == 1  # the heading only


def test_the_reaction_waits_for_three_answers_and_escapes_what_was_written():
    few = reactions_html(Reactions(useful=(4, 5), tries=("a",), words=("b",)))
    assert "2 answered the reaction form so far" in few and "Average" not in few
    many = reactions_html(Reactions(useful=(4, 5, 3), tries=("<b>x</b>", "y", "z")))
    assert "Average <b>4.0 of 5</b>" in many and "&lt;b&gt;x&lt;/b&gt;" in many
    assert "<b>x</b>" not in many
