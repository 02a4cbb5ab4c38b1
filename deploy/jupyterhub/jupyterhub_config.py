"""JupyterHub for Rapport on one machine, to try it out: the configuration the test suite runs.

Every learner logs in and gets their own JupyterLab, opened on the welcome notebook, with Voila
as a server extension for the app view (``/user/<name>/voila/render/notebooks/05-listen.ipynb``).
Live rooms sit in one database that every learner's server reaches (``RAPPORT_DB_URL`` in the
hub's environment is handed on to them); each learner's journal stays in their own store, kept
apart twice over: every learner has a home folder of their own, where their journal file is,
and Rapport keys journals by the hub's name for the learner (``JUPYTERHUB_USER``).

Run it from the virtual environment Rapport is installed in (JupyterHub from PyPI, and
configurable-http-proxy from npm on the PATH)::

    export RAPPORT_DB_URL=postgresql+psycopg://rapport:PASSWORD@127.0.0.1/rapport
    .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

then open http://127.0.0.1:8000 and log in with any name and password.

Never put this in front of real learners: the dummy authenticator lets anyone in under any
name, and the simple spawner runs every learner's server as the account that runs the hub.
For a class, use The Littlest JupyterHub or Zero to JupyterHub: see README.md beside this file.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config to its configuration files)

# The repository: exercises/ (the course's content) and notebooks/.
COURSE = Path(__file__).resolve().parents[2]

c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
# Stopping the hub stops the proxy it started and every learner's server (both are JupyterHub's
# defaults, set here because the test suite relies on them to leave nothing running).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Each learner's server: JupyterLab over the course, opened on the welcome notebook. Voila's
# server extension is enabled when Voila is installed (a Rapport dependency), so the same
# server also renders any notebook as an app at /user/<name>/voila/render/<path>.
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.notebook_dir = str(COURSE)
c.Spawner.default_url = "/lab/tree/notebooks/00-welcome.ipynb"
# Jupyter refuses to run as root unless told; containers and CI machines run as root.
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []

# A home folder per learner: their journal is a file in it (~/.local/share/rapport/), and so
# are their Jupyter settings and workspaces. (The spawner creates the folder.)
c.SimpleLocalProcessSpawner.home_dir_template = "/tmp/rapport-hub/{username}"

c.Spawner.environment = {"RAPPORT_HOME": str(COURSE)}
# Live rooms: one database for everyone, so a room made from one learner's server is found
# from every other. Without it, each learner's rooms stay in their own file.
if db_url := os.environ.get("RAPPORT_DB_URL"):
    c.Spawner.environment["RAPPORT_DB_URL"] = db_url
