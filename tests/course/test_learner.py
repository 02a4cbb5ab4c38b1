"""Who the learner is."""

import pytest

from rapport.course.learner import current_learner


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


def test_served_per_browser_each_browser_token_is_its_own_learner(monkeypatch):
    monkeypatch.setenv("RAPPORT_IDENTITY", "browser")
    monkeypatch.setenv("RAPPORT_LEARNER", "ana-01")  # ignored: the browser decides
    monkeypatch.setenv("HTTP_X_RAPPORT_TOKEN", "a" * 32)
    first = current_learner()
    monkeypatch.setenv("HTTP_X_RAPPORT_TOKEN", "b" * 32)
    second = current_learner()
    assert first != second and first.startswith("browser-")
    assert "a" * 32 not in first  # the token itself is never the key


def test_served_per_browser_without_a_token_nobody_is_assumed(monkeypatch):
    from rapport.course.learner import NoIdentity

    monkeypatch.setenv("RAPPORT_IDENTITY", "browser")
    monkeypatch.setenv("HTTP_X_RAPPORT_TOKEN", "<script>")
    with pytest.raises(NoIdentity, match="reload"):
        current_learner()
    monkeypatch.delenv("HTTP_X_RAPPORT_TOKEN")
    with pytest.raises(NoIdentity):
        current_learner()


def test_on_jupyterhub_the_hub_user_is_the_learner(monkeypatch):
    monkeypatch.delenv("RAPPORT_LEARNER", raising=False)
    monkeypatch.setenv("USER", "jovyan")  # every learner's server runs as this account
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    assert current_learner() == "ana"
    monkeypatch.setenv("JUPYTERHUB_USER", "ben")
    assert current_learner() == "ben"


def test_a_set_learner_wins_over_the_hub_user(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    monkeypatch.setenv("RAPPORT_LEARNER", "ana-01")
    assert current_learner() == "ana-01"


def test_hub_users_whose_names_a_key_cannot_hold_are_still_kept_apart(monkeypatch):
    monkeypatch.delenv("RAPPORT_LEARNER", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "josé maría")
    first = current_learner()
    monkeypatch.setenv("JUPYTERHUB_USER", "josé marta")
    second = current_learner()
    assert first.startswith("hub-") and second.startswith("hub-") and first != second
    monkeypatch.setenv("JUPYTERHUB_USER", "josé maría")
    assert current_learner() == first  # the same learner every time
