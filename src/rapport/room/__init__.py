"""The live room's logic: join codes, activity references, answer rules and tallies, and the
room as a value. No widgets and no database here."""
