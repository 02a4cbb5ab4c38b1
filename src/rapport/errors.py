"""The errors of Rapport's domain. Each message is written for the person who will read it, so a
view can show it as it is; none of them says anything about how the store is built."""

from __future__ import annotations


class RapportError(Exception):
    """Something the person using Rapport should be told, in the words of the message."""


class StoreUnavailable(RapportError, OSError):
    """The store could not be reached, or stayed busy, so nothing changed."""

    def __init__(self, message: str = "The store could not be reached just now; nothing changed."):
        super().__init__(message)


class RoomError(RapportError, ValueError):
    """Something about a room that a participant or facilitator needs to be told plainly."""


class CodeError(RoomError):
    """A join code that cannot be right; the message says what a code looks like."""


class AnswerRejected(RapportError, ValueError):
    """An answer to the room that cannot be taken; the message tells the participant why."""


class AnswerError(RapportError, ValueError):
    """A journal answer that cannot be saved; the message tells the learner what to do."""


class NoIdentity(RapportError, ValueError):
    """A page that should know its browser but does not (an old tab, a missing cookie)."""
