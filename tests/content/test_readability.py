"""Readability: the grade formula, and every module's prose at grade 9 or below."""

import pytest

from rapport.content.loading import load_manifest, load_module
from rapport.content.readability import grade, module_text, notebook_prose, syllables

from ..conftest import ROOT

MAX_GRADE = 9.0


def test_the_formula_on_a_hand_counted_sentence():
    # 6 words, 1 sentence, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59
    assert grade("The cat sat on the mat.") == pytest.approx(-1.45)


def test_long_sentences_of_long_words_score_high():
    hard = (
        "Notwithstanding considerable organisational complexity, interdisciplinary "
        "collaboration facilitates transformational institutional outcomes."
    )
    assert grade(hard) > 20 > grade("We sat down. We had tea. It was nice.")


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("listen", 2), ("connection", 3), ("make", 1), ("vulnerability", 6)],
)
def test_syllable_estimates(word, count):
    assert syllables(word) == count


def test_markdown_structure_ends_sentences_but_wrapping_does_not():
    wrapped = "We sat down\nand had tea together."
    listed = "- We sat down\n- and had tea together"
    assert grade(listed) < grade(wrapped)


@pytest.mark.parametrize("module_id", load_manifest(ROOT).modules)
def test_each_module_reads_at_grade_9_or_below(module_id):
    module = load_module(module_id, ROOT)
    content = grade(module_text(module))
    prose = grade(notebook_prose(ROOT / "notebooks" / f"{module_id}.ipynb"))
    assert content <= MAX_GRADE, f"content file reads at grade {content:.1f}"
    assert prose <= MAX_GRADE, f"notebook prose reads at grade {prose:.1f}"
