"""Content: the schema of the course files, loading them, checking them, and what is generated
from them (notebook chrome, agendas), plus the readability measure. Imports nothing else of
Rapport but the base modules."""
