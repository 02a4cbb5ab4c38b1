"""Every setting Rapport reads from the environment, named in one place.

The ``RAPPORT_*`` variables are Rapport's own. The others are set by Voila or the server for a
page's kernel, and read here so that no other module spells an environment name. Each
function reads the environment when called (never at import): ``rapport serve`` sets some of
these for its kernels after the package is imported, and tests change them freely.
"""

from __future__ import annotations

import os
from pathlib import Path

# -- Rapport's own ---------------------------------------------------------------------------
HOME = "RAPPORT_HOME"  # the folder holding exercises/ and notebooks/ (default: found)
DB_URL = "RAPPORT_DB_URL"  # where live rooms are kept (any SQLAlchemy URL)
JOURNAL_URL = "RAPPORT_JOURNAL_URL"  # where a learner's private data is kept
LEARNER = "RAPPORT_LEARNER"  # whose journal, when the journal is the account's
IDENTITY = "RAPPORT_IDENTITY"  # "browser" (each browser its own journal) or "account"
FACILITATOR_KEY = "RAPPORT_FACILITATOR_KEY"  # a fixed key (several servers, a planned session)
PUBLIC_URL = "RAPPORT_PUBLIC_URL"  # where participants reach the server (set by rapport serve)
FORK_SOCKET = "RAPPORT_FORK_SOCKET"  # the fork server's socket (set by rapport serve)
SEED = "RAPPORT_SEED"  # a fixed seed for the order of role-play options (tests, nbval)

OURS = (
    HOME,
    DB_URL,
    JOURNAL_URL,
    LEARNER,
    IDENTITY,
    FACILITATOR_KEY,
    PUBLIC_URL,
    FORK_SOCKET,
    SEED,
)

# -- set for a page's kernel by Voila (and by rapport serve) ---------------------------------
TOKEN = "HTTP_X_RAPPORT_TOKEN"  # the browser's token, from the request header of that name
QUERY_STRING = "QUERY_STRING"
SERVER_NAME = "SERVER_NAME"
SERVER_PORT = "SERVER_PORT"
VOILA_PREHEAT = "VOILA_PREHEAT"  # "True" in a spare kernel waiting for its visitor
VOILA_APP_IP = "VOILA_APP_IP"
VOILA_APP_PORT = "VOILA_APP_PORT"
VOILA_KERNEL_ID = "VOILA_KERNEL_ID"
VOILA_WS_PROTOCOL = "VOILA_WS_PROTOCOL"
VOILA_WS_BASE_URL = "VOILA_WS_BASE_URL"
VOILA_SERVER_URL = "VOILA_SERVER_URL"
JUPYTER_PATH = "JUPYTER_PATH"

# -- set for a single-user server (and its kernels) by JupyterHub ----------------------------
HUB_USER = "JUPYTERHUB_USER"  # the hub's name for the learner whose server this is


def get(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def home() -> Path | None:
    value = get(HOME)
    return Path(value).resolve() if value else None


def db_url() -> str | None:
    return get(DB_URL) or None


def journal_url() -> str | None:
    return get(JOURNAL_URL) or None


def per_browser() -> bool:
    """Whether every browser keeps its own journal (a room served on the network)."""
    return get(IDENTITY) == "browser"


def seed() -> int | None:
    """The fixed seed for the order of role-play options, if one is set."""
    value = get(SEED)
    try:
        return int(value) if value else None
    except ValueError:
        raise ValueError(f"{SEED} must be a whole number, not {value!r}") from None


def preheated() -> bool:
    """Whether this kernel is a spare one, waiting for its visitor."""
    return get(VOILA_PREHEAT) == "True"
