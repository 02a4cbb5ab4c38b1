"""Rapport on The Littlest JupyterHub: copy to /opt/tljh/config/jupyterhub_config.d/rapport.py.

TLJH loads every file in that folder after its own configuration, so what is set here wins.
Apply it with ``sudo tljh-config reload hub``. The whole set-up is in README.md beside this file.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config to its configuration files)

# The course, cloned once for everyone: the package reads exercises/ from here, while each
# learner opens their own copy of notebooks/ (from /etc/skel) in their home.
COURSE = "/opt/rapport"
# The shared rooms' database URL, in a file only root can read (the hub runs as root).
DB_URL_FILE = Path("/opt/tljh/config/rapport-db-url")

c.Spawner.default_url = "/lab/tree/notebooks/00-welcome.ipynb"
c.Spawner.environment.update({"RAPPORT_HOME": COURSE})
if DB_URL_FILE.exists():
    c.Spawner.environment.update({"RAPPORT_DB_URL": DB_URL_FILE.read_text().strip()})
