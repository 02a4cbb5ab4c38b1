"""Who the learner is."""

import pytest

from rapport.learner import current_learner


def test_the_environment_names_the_learner(monkeypatch):
    monkeypatch.setenv("RAPPORT_LEARNER", "ana-01")
    assert current_learner() == "ana-01"


def test_otherwise_the_local_account_is_used(monkeypatch):
    monkeypatch.delenv("RAPPORT_LEARNER", raising=False)
    assert current_learner()


def test_a_malformed_learner_is_refused(monkeypatch):
    monkeypatch.setenv("RAPPORT_LEARNER", "../../etc")
    with pytest.raises(ValueError, match="RAPPORT_LEARNER must be"):
        current_learner()
