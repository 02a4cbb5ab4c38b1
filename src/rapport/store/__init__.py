"""The store: tables and data access (SQLAlchemy lives here and nowhere above), and the services
that write through it: the journal and the rooms. Database failures leave it as
:class:`rapport.errors.StoreUnavailable`."""
