"""The live room's small shared pieces of HTML: the countdown."""

from __future__ import annotations

from rapport.render.html import inline


def timer_html(left: str | None) -> str:
    """The countdown as it shows on the projector and on phones; nothing when no timer runs."""
    if left is None:
        return ""
    if left == "00:00":
        return '<div class="rp-card"><p class="rp-timer" role="timer">Time is up</p></div>'
    return (
        '<div class="rp-card"><p class="rp-meta">Time left</p>'
        f'<p class="rp-timer" role="timer">{left}</p></div>'
    )


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (no external service, nothing leaves the machine)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, dark="#111827", light="#ffffff")


def join_card_html(public_url: str, code: str) -> str:
    """How to join a room: the address, the QR code and the code, large enough for a wall."""
    join_url = f"{public_url}join?code={code}"
    return (
        '<div class="rp-card" role="region" aria-label="How to join">'
        '<div style="display:flex;flex-wrap:wrap;gap:24px;align-items:center">'
        f'<div class="rp-qr" role="img" aria-label="QR code for {inline(join_url)}">'
        f'{qr_svg(join_url)}</div><div><p class="rp-meta">Join at</p>'
        f'<p><b>{inline(public_url)}join</b></p><p class="rp-meta">with the code</p>'
        f'<p class="rp-code">{inline(code)}</p></div></div></div>'
    )
