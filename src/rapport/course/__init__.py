"""The course's logic in plain Python: the scenario engine, scoring, progress rules, journal rules
and learner identity. No widgets and no database here."""
