"""Test support: kill a Python child with SIGKILL the moment it reports a point in its work (crash-safety tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def kill_after_first_line(code: str, *args: str) -> str:
    """Run `code` with `args` in a fresh interpreter (the checkout on its path), SIGKILL it as soon as it prints
    its first line, and return that line (stripped): the caller asserts the child got where it should have."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert child.stdout is not None
    said = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    return said.strip()
