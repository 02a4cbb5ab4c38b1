"""The pages notebooks call: a module's lesson, the journal page, the join page and the
facilitator's dashboard."""
