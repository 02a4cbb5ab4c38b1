"""Who the current learner is, as a short opaque key for their journal.

On one's own computer (JupyterLab, or ``rapport serve`` on loopback) the learner is the local
account (or ``RAPPORT_LEARNER``). On a JupyterHub it is the hub's name for the learner
(``JUPYTERHUB_USER``): every learner's server may run as the same account there (Kubernetes'
``jovyan``), and one journal database may hold every learner. When ``rapport serve`` serves a
room (``RAPPORT_IDENTITY=browser``), every browser is its own learner: the server gives each
browser a random token in a cookie and Voila hands it to that browser's kernel as
``HTTP_X_RAPPORT_TOKEN``. Journals then key on a digest of the token, so visitors of one server
never see each other's reflections.
"""

from __future__ import annotations

import getpass
import hashlib
import re

from rapport import settings
from rapport.errors import NoIdentity

TOKEN_HEADER = "X-Rapport-Token"  # the request header Voila turns into settings.TOKEN
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_VALID = re.compile(r"^[A-Za-z0-9_.@-]{1,80}$")

__all__ = ["TOKEN", "TOKEN_HEADER", "NoIdentity", "browser_token", "current_learner"]


def browser_token() -> str | None:
    """This browser's random token, when the page was served by ``rapport serve``."""
    token = settings.get(settings.TOKEN)
    return token if TOKEN.match(token) else None


def current_learner() -> str:
    """The journal key of whoever is using this kernel."""
    if settings.per_browser():
        token = browser_token()
        if token is None:
            raise NoIdentity("This page does not know your browser; reload it to fix that.")
        return "browser-" + hashlib.sha256(token.encode("ascii")).hexdigest()[:40]
    learner = settings.get(settings.LEARNER)
    if not learner:
        return _hub_user() or _account()
    if not _VALID.match(learner):
        raise ValueError(
            f"{settings.LEARNER} must be 1-80 letters, digits or . _ @ -, not {learner!r}"
        )
    return learner


def _hub_user() -> str | None:
    """The learner's name on the JupyterHub that started this server, if one did."""
    name = settings.get(settings.HUB_USER)
    if not name or _VALID.match(name):
        return name or None
    # Hub names may hold characters a journal key does not (accents, spaces): a digest of the
    # name keeps those learners apart all the same.
    return "hub-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:40]


def _account() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return "local"
    return name if _VALID.match(name) else "local"
