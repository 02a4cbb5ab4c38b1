"""Serving the workshop: ``rapport serve`` (Voila), its page kernel, the fork server, spare join
kernels, JupyterLab for self-study, and the Voila template."""
