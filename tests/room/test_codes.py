"""Join codes and facilitator keys."""

import re

import pytest

from rapport.room.codes import (
    ALPHABET,
    CodeError,
    key_digest,
    key_matches,
    new_code,
    new_key,
    normalise_code,
)


def test_new_codes_look_like_k7q_4m2_and_avoid_lookalikes():
    for _ in range(200):
        code = new_code()
        assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
        assert not set(code) & set("0O1ILZ5S8B9G")


@pytest.mark.parametrize("typed", ["k7q-4m2", " K7Q 4M2 ", "K7Q4M2", "k7q_4m2"])
def test_codes_are_read_forgivingly(typed):
    assert normalise_code(typed) == "K7Q-4M2"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the room code"),
        ("K7Q-4M", "that one has 5"),
        ("K7Q-4M0", "never contain '0'"),
    ],
)
def test_wrong_codes_get_a_clear_message(typed, message):
    with pytest.raises(CodeError, match=re.escape(message)):
        normalise_code(typed)


def test_keys_are_long_random_and_checked_by_digest():
    key = new_key()
    assert len(key) >= 24 and key != new_key()
    digest = key_digest(key)
    assert key_matches(key, digest)
    assert not key_matches(key + "x", digest)
    assert not key_matches(None, digest)
    assert set(ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
