"""The local help services for the support slide: entered once, kept in the store's settings."""

import pytest

from rapport.cli import main
from rapport.store.support import (
    MAX_SERVICES,
    Service,
    SupportError,
    parse_services,
    set_support_services,
    support_services,
)


def test_services_are_read_one_a_line_skipping_blanks_and_comments():
    text = "# for the Leeds sessions\n\nSamaritans:  call 116 123\r\nEmergency: 999\n"
    assert parse_services(text) == [
        Service("Samaritans", "call 116 123"),
        Service("Emergency", "999"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Samaritans: 116 123\nno colon here", "Line 2 ('no colon here') needs a name, a colon"),
        (": 116 123", "Line 1"),
        ("Samaritans:", "Line 1"),
        ("A" * 61 + ": 999", "Line 1 is too long for a slide"),
        ("\n".join(f"Service {n}: 0{n}" for n in range(MAX_SERVICES + 1)), "will not fit"),
    ],
)
def test_a_line_that_cannot_be_used_is_named(text, says):
    with pytest.raises(SupportError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_services(text)


def test_services_are_kept_in_the_store_and_cleared(store):
    assert support_services(store) == []
    services = [Service("Samaritans", "call 116 123"), Service("Emergency", "999")]
    set_support_services(store, services)
    assert support_services(store) == services
    set_support_services(store, [])
    assert support_services(store) == []


def test_rapport_support_sets_shows_and_clears(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert main(["support"]) == 0
    assert "No local support services are set" in capsys.readouterr().out
    good = tmp_path / "support.txt"
    good.write_text("Samaritans: call 116 123\nEmergency: 999\n", encoding="utf-8")
    assert main(["support", "--set", str(good)]) == 0
    assert "Saved 2 support services.\nSamaritans: call 116 123\nEmergency: 999" in (
        capsys.readouterr().out
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("Samaritans 116 123\n", encoding="utf-8")
    assert main(["support", "--set", str(bad)]) == 1
    assert "Line 1" in capsys.readouterr().err
    assert main(["support"]) == 0  # the bad file changed nothing
    assert "Samaritans: call 116 123" in capsys.readouterr().out
    assert main(["support", "--set", str(tmp_path / "missing.txt")]) == 1
    assert "Could not read" in capsys.readouterr().err
    assert main(["support", "--clear"]) == 0
    assert main(["support"]) == 0
    assert "No local support services are set" in capsys.readouterr().out
