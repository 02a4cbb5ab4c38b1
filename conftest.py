"""Keep every test run, notebooks included, away from the user's real journal.

This runs before any test or notebook kernel starts, so kernels started by nbval inherit a
throwaway database and learner too.
"""

import os
import tempfile

_scratch = tempfile.mkdtemp(prefix="rapport-tests-")
os.environ["RAPPORT_DB_URL"] = f"sqlite:///{_scratch}/suite.sqlite3"
os.environ["RAPPORT_LEARNER"] = "test-learner"
os.environ["RAPPORT_JOURNAL_URL"] = f"sqlite:///{_scratch}/journal.sqlite3"
os.environ.pop("RAPPORT_IDENTITY", None)
os.environ["RAPPORT_SEED"] = "1"  # one order of role-play options for every run of the suite
