"""Browser tests: the served workshop, JupyterLab and printed handouts, in Chromium."""
