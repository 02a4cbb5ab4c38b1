"""Join codes people can read off a projector, and facilitator keys compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from rapport.errors import CodeError

# No 0/O, 1/I/L, Z, 5/S, 8/B or 9/G: nothing that is easy to misread from the back of a room.
ALPHABET = "ACDEFHJKMNPQRTUVWXY23467"
LENGTH = 6
_SEPARATORS = re.compile(r"[\s\-_.]+")


__all__ = [
    "CodeError",
    "display",
    "key_digest",
    "key_matches",
    "new_code",
    "new_key",
    "normalise_code",
]


def new_code() -> str:
    """A fresh random join code such as ``K7Q-4M2``."""
    return display(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(chars) -> str:
    text = "".join(chars)
    return f"{text[:3]}-{text[3:]}"


def normalise_code(text: str) -> str:
    """The code as stored (``K7Q-4M2``), from what someone typed (``k7q 4m2``, ``K7Q4M2``)."""
    chars = _SEPARATORS.sub("", text or "").upper()
    if not chars:
        raise CodeError("Type the room code shown on the screen, for example K7Q-4M2.")
    if len(chars) != LENGTH:
        raise CodeError(
            f"Room codes have {LENGTH} characters, like K7Q-4M2; that one has {len(chars)}."
        )
    wrong = sorted({c for c in chars if c not in ALPHABET})
    if wrong:
        shown = ", ".join(repr(c) for c in wrong)
        raise CodeError(f"Room codes never contain {shown}. Check the code on the screen.")
    return display(chars)


def new_key() -> str:
    """A facilitator key: long, random and safe to put in a URL."""
    return secrets.token_urlsafe(18)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_matches(given: str | None, digest: str) -> bool:
    """Whether ``given`` is the key behind ``digest``, compared in constant time."""
    return hmac.compare_digest(key_digest(given or ""), digest)
