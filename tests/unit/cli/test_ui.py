"""Terminal rendering: whatever ingested data holds, printing it cannot drive the terminal (issue 20, finding 7)."""

from __future__ import annotations

import io
import json
import re

import pytest
import typer

from molehunt.cli import ui
from molehunt.errors import InputError

HOSTILE = (
    "OSC52 \x1b]52;c;cm0gLXJmIH4=\x07 OSC8 \x1b]8;;http://e.vil\x1b\\click\x1b]8;;\x1b\\ CSI \x1b[2J\x1b[31m "
    "C1 \x9b31m \x9d0;title\x9c BEL\x07 BS\x08 CR\r DEL\x7f bidi \u202egpj.exe\u202c \u2066x\u2069 "
    "markup [link=http://e.vil]link[/link] [/] lone \udc80 surrogate"
)
# What a terminal could act on: any escape, the 8-bit CSI/OSC/ST, BEL, bidi overrides, and a lone surrogate.
FORBIDDEN = ("\x1b]", "\x9b", "\x9d", "\x9c", "\x07", "\x08", "\r", "\x7f", "\u202e", "\u2066", "\udc80")


def render(*objects: object, markup_styles: bool = True) -> str:
    """What ui's console writes to a colour terminal (Rich's own styling uses CSI m sequences only)."""
    buffer = io.StringIO()
    console = ui.SafeConsole(file=buffer, force_terminal=markup_styles, color_system="truecolor", width=400)
    for item in objects:
        console.print(item)
    return buffer.getvalue()


def assert_inert(text: str) -> None:
    for sequence in FORBIDDEN:
        assert sequence not in text, repr(sequence)
    # The only escapes left are Rich's own SGR styling: ESC [ digits/; m.
    assert all(part[:1] == "[" for part in text.split("\x1b")[1:]), repr(text)


def test_clean_escapes_every_control_visibly_and_keeps_text() -> None:
    cleaned = ui.clean(HOSTILE)
    assert_inert(cleaned)
    assert "\x1b" not in cleaned
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07" in cleaned and "\\u202egpj.exe" in cleaned and "\\udc80" in cleaned
    assert ui.clean("Zoë\tnotes\nline 2 — ok") == "Zoë\tnotes\nline 2 — ok"


def test_quarantine_table_prints_hostile_rows_inert() -> None:
    rows = [{"path": f"/data/{HOSTILE}.csv", "line": 7, "reason": HOSTILE, "raw": HOSTILE}]
    text = render(ui.quarantine_table(rows))
    assert_inert(text)
    assert "\\x1b]52" in text and "[link=http://e.vil]link[/link]" in text  # shown, not obeyed


def test_messages_and_errors_are_neutralized_too() -> None:
    assert_inert(render(f"refused /in/{HOSTILE}: bad header"))
    buffer = io.StringIO()
    original = ui.console
    ui.console = ui.SafeConsole(file=buffer, force_terminal=True, width=400)
    try:
        with pytest.raises(typer.Exit), ui.exit_on_errors():
            raise InputError(HOSTILE, path="/data/x.csv", line=2)
    finally:
        ui.console = original
    assert_inert(buffer.getvalue())
    assert "error:" in buffer.getvalue()


def test_json_output_escapes_what_a_terminal_could_act_on() -> None:
    buffer = io.StringIO()
    console = ui.SafeConsole(file=buffer, force_terminal=True, width=400)
    console.print_json(json.dumps({"raw": HOSTILE.replace("\udc80", "?")}))
    assert_inert(buffer.getvalue())
    assert json.loads(re.sub("\x1b\\[[0-9;]*m", "", buffer.getvalue()))["raw"].startswith("OSC52")  # still JSON


def test_the_alerts_table_leaves_out_the_counts_that_did_not_happen() -> None:
    from datetime import date

    from molehunt.detect.alerts import Alert

    reasons = (
        "52 files to removable media (own median 0), 0 cloud uploads; 0 attachments to personal mail; decoy opened"
    )
    alert = Alert(1, "u1", date(2026, 3, 2), 212.0, ("bulk-usb-copy",), reasons)
    shown = " ".join(render(ui.alerts_table("Alerts", [alert]), markup_styles=False).split())
    assert "52 files to removable media (own median 0)" in shown and "; decoy" in shown
    assert "cloud uploads" not in shown and "personal mail" not in shown
