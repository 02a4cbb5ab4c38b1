"""Widgets that share one look: sealed layouts and styles, and the stylesheet widget."""

from __future__ import annotations

import ipywidgets as w
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from rapport.render.html import CSS

# -- shared layouts and styles ---------------------------------------------------------------
# Every ipywidgets widget comes with a layout model, and most with a style model, each sent to
# the browser on its own. Most of a page's widgets keep the default look, so they share one
# layout and one style per kind: a module page loads about 110 widget models instead of 290,
# and opens sooner. A shared one is sealed: a widget whose look changes (shown, hidden) gets
# a layout of its own, and changing a shared one by mistake fails at once, in the tests.


class Sealed:
    """Mixin for a layout or style that many widgets share: its values cannot change."""

    _sealed = False

    def seal(self):
        self._sealed = True
        return self

    def __setattr__(self, name, value):
        if self._sealed and name in getattr(self, "keys", ()):
            raise AttributeError(
                f"this {type(self).__name__} is shared by many widgets, so its {name} cannot "
                "change; give the widget a layout or style of its own"
            )
        super().__setattr__(name, value)


class SharedLayout(Sealed, w.Layout):
    pass


class SharedHTMLStyle(Sealed, HTMLStyle):
    pass


class SharedButtonStyle(Sealed, w.ButtonStyle):
    pass


class SharedTextStyle(Sealed, TextStyle):
    pass


_SHARED: dict[str, w.Widget] = {}


def shared(name: str, make) -> w.Widget:
    # Made on first use, in the kernel that shows them (never at import: a fork server
    # imports this module long before any kernel exists).
    if name not in _SHARED:
        _SHARED[name] = make()
    return _SHARED[name]


def plain() -> w.Layout:
    """The default layout, shared."""
    return shared("plain", lambda: SharedLayout().seal())


def wide() -> w.Layout:
    """Full width, shared."""
    return shared("wide", lambda: SharedLayout(width="100%").seal())


def html(value: str = "", **kwargs) -> w.HTML:
    """An HTML widget with the shared layout and style, unless given its own."""
    kwargs.setdefault("layout", plain())
    kwargs.setdefault("style", shared("html", lambda: SharedHTMLStyle().seal()))
    return w.HTML(value, **kwargs)


def button(description: str, **kwargs) -> w.Button:
    """A button with the shared layout and style, unless given its own."""
    kwargs.setdefault("layout", plain())
    kwargs.setdefault("style", shared("button", lambda: SharedButtonStyle().seal()))
    return w.Button(description=description, **kwargs)


def text_style() -> TextStyle:
    """A text box's style with its label at its natural width, shared."""
    return shared("text", lambda: SharedTextStyle(description_width="initial").seal())


def row(children, **kwargs) -> w.HBox:
    kwargs.setdefault("layout", plain())
    return w.HBox(children, **kwargs)


def style() -> w.HTML:
    """The widget carrying the stylesheet; include it in every top-level view.

    One widget serves them all: each view that includes it adds the same hidden <style>.
    """
    return shared("stylesheet", lambda: html(CSS, layout=SharedLayout(display="none").seal()))
