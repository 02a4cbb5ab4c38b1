"""HTML for what the course shows, without widgets: escaping, the stylesheet, results, timers
and the role-play's turns. Widgets, printed outputs and slides all draw with it."""
