"""The room's before-and-after change: pairing, Student's t, the interval and Hedges' g,
checked against figures worked out by hand."""

import pytest

from rapport.room.evaluation import MIN_PAIRS, change, paired, t_cdf, t_quantile


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (4, 2.7764), (10, 2.2281), (30, 2.0423), (1000, 1.9623)],
)
def test_t_quantiles_match_the_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_the_t_distribution_is_symmetric_around_zero():
    assert t_cdf(0, 7) == pytest.approx(0.5)
    assert t_cdf(-1.5, 7) == pytest.approx(1 - t_cdf(1.5, 7))


def test_pairs_join_the_same_participant_and_leave_out_who_answered_once():
    before = {"p1": 2, "p2": 3, "p3": 4}
    after = {"p2": 5, "p3": 4, "p4": 1}
    assert paired(before, after) == [(3, 5), (4, 4)]


def test_a_change_worked_out_by_hand():
    # before 2 3 2 4 3, after 4 4 3 4 5: changes 2 1 1 0 2, mean 1.2, sd sqrt(0.7)
    result = change([(2, 4), (3, 4), (2, 3), (4, 4), (3, 5)])
    assert result.enough and result.needed == 0
    assert (result.mean_before, result.mean_after, result.mean_change) == (2.8, 4.0, 1.2)
    half = 2.776445 * 0.7**0.5 / 5**0.5  # t(0.975, 4) x sd / sqrt(n)
    assert result.low == pytest.approx(1.2 - half, abs=1e-5)
    assert result.high == pytest.approx(1.2 + half, abs=1e-5)
    assert result.hedges_g == pytest.approx(1.2 / 0.7**0.5 * (1 - 3 / 15), abs=1e-6)


def test_fewer_than_five_pairs_give_no_figures_but_how_many_more_are_needed():
    result = change([(1, 2), (2, 3), (3, 5)])
    assert MIN_PAIRS == 5
    assert not result.enough and result.needed == 2
    assert result.mean_change is None and result.hedges_g is None and result.low is None


def test_no_spread_in_the_changes_gives_an_interval_of_one_point_and_no_g():
    result = change([(2, 3)] * 6)
    assert (result.mean_change, result.low, result.high) == (1.0, 1.0, 1.0)
    assert result.hedges_g is None
