"""The self-assessment form and comparison, driven headless."""

import pytest

from rapport.content.loading import load_assessment
from rapport.pages.lesson import Lesson
from rapport.widgets.assessment import AssessmentComparison, SelfAssessmentForm

from ..conftest import ROOT


@pytest.fixture
def lesson(store):
    from rapport.content.loading import load_module

    return Lesson(load_module("13-be-open", ROOT), learner="ana", store=store)


def answer_all(form: SelfAssessmentForm, value: int) -> None:
    for question in form.questions:
        question.value = value


def test_the_shipped_statements_cover_every_principle():
    assessment = load_assessment(ROOT)
    assert len({item.module for item in assessment.items}) == 12
    assert len(assessment.scale) == 5


def test_an_incomplete_form_says_which_statements_are_missing_and_saves_nothing(lesson, store):
    form = lesson.self_assessment("baseline")
    answer_all(form, 4)
    form.questions[2].value = None
    form.save_button.click()
    assert "1 statement still need an answer: 3." in form.status.value
    assert store.assessment("ana", "baseline") == {}


def test_a_complete_form_is_saved_scored_and_shown_again(lesson, store):
    form = lesson.self_assessment("baseline")
    answer_all(form, 4)
    form.save_button.click()
    assert "Saved" in form.status.value
    assert len(store.assessment("ana", "baseline")) == 24
    # 4 on a straight item scores 4, on a reverse-keyed one 2: the mean is 3.0
    assert '<td><span class="rp-bar-value">3.0</span>' in form.results.value
    again = lesson.self_assessment("baseline")
    assert [q.value for q in again.questions] == [4] * 24


def test_the_comparison_waits_for_both_phases_then_charts_them(lesson):
    comparison = lesson.assessment_comparison()
    assert "To compare, answer the self-assessment in the welcome module" in comparison.chart.value
    baseline = lesson.self_assessment("baseline")
    answer_all(baseline, 3)
    baseline.save_button.click()
    follow_up = lesson.self_assessment("follow-up")
    answer_all(follow_up, 5)
    follow_up.save_button.click()  # refreshes the comparison on its own
    html = comparison.chart.value
    assert "At the start" in html and "Now" in html
    assert html.count("<tr><th scope='row'>") == 12
    assert "01 · Know yourself" in html and "+0.0" in html


def test_phases_are_validated(lesson):
    with pytest.raises(ValueError, match="baseline, follow-up"):
        lesson.self_assessment("midway")


def test_reprs_are_short(lesson):
    assert repr(lesson.self_assessment("baseline")) == "SelfAssessmentForm('baseline')"
    assert repr(lesson.assessment_comparison()) == "AssessmentComparison()"
    assert isinstance(lesson.assessment_comparison(), AssessmentComparison)


def test_the_statements_share_their_look_so_the_page_loads_fewer_widget_models(lesson):
    form = lesson.self_assessment("baseline")
    assert len({id(q.layout) for q in form.questions}) == 1
    assert len({id(q.style) for q in form.questions}) == 1
    form.questions[0].value = 5  # answering one row leaves the others alone
    assert [q.value for q in form.questions[1:]] == [None] * 23
