"""What leaves the screen: printable handouts and the room's summary."""
