"""Who the current learner is, as a short opaque key for their journal."""

from __future__ import annotations

import getpass
import os
import re

ENV_LEARNER = "RAPPORT_LEARNER"
_VALID = re.compile(r"^[A-Za-z0-9_.@-]{1,80}$")


def current_learner() -> str:
    """``RAPPORT_LEARNER`` if set, else the local account name (self-paced study on one machine)."""
    learner = os.environ.get(ENV_LEARNER) or _account()
    if not _VALID.match(learner):
        raise ValueError(f"{ENV_LEARNER} must be 1-80 letters, digits or . _ @ -, not {learner!r}")
    return learner


def _account() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return "local"
    return name if _VALID.match(name) else "local"
