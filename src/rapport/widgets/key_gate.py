"""KeyGate: nothing of any room shows until the facilitator key is given."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from rapport.errors import StoreUnavailable
from rapport.render.html import notice
from rapport.widgets._html import style


class KeyGate(w.VBox):
    """Shows nothing of any room until the facilitator key is given (from the URL or typed)."""

    def __init__(self, check: Callable[[str], bool], unlock: Callable[[], w.Widget], key: str = ""):
        self._check = check
        self._unlock = unlock
        self.key_input = w.Password(
            description="Facilitator key",
            placeholder="printed by rapport serve",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="420px"),
            continuous_update=False,  # sent whole before the button is pressed
        )
        self.open_button = w.Button(description="Open the dashboard", button_style="primary")
        self.open_button.on_click(lambda _: self.try_key(self.key_input.value))
        self.status = w.HTML()
        self.unlocked: w.Widget | None = None
        super().__init__(
            [
                style(),
                w.HTML(
                    '<div class="rp-card"><h2>Facilitator dashboard</h2><p>Enter the facilitator '
                    "key. It is printed in the terminal where <code>rapport serve</code> was "
                    "started, and it changes every time the server starts.</p></div>"
                ),
                self.key_input,
                self.open_button,
                self.status,
            ],
            layout=w.Layout(width="100%"),
        )
        self.add_class("rp-box")
        if key:
            self.try_key(key)

    def try_key(self, key: str) -> bool:
        try:
            ok = self._check(key)
        except StoreUnavailable:
            self.status.value = notice("error", "The store could not be reached; try again.")
            return False
        if not ok:
            self.status.value = notice(
                "error",
                "That key does not match. Copy it again from the terminal running rapport serve.",
            )
            return False
        self.unlocked = self._unlock()
        self.children = [style(), self.unlocked]
        return True
