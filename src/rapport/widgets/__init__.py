"""The workshop's widgets: views only. Each draws from its state (traits, or the plain values it
was given) and calls the store's services (Journal, Rooms) to change anything; none of them
touches the database or knows how it is built."""
