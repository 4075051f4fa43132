"""Run a measurement in a fresh interpreter, so each engine's peak memory is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_child(code: str, *args: str) -> tuple[dict[str, float], float]:
    """Run `code` with `args`; returns (the JSON object on its last output line, its peak RSS in MiB)."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    exit_code = os.waitstatus_to_exitcode(status)
    if exit_code != 0:
        raise SystemExit(f"child failed with exit code {exit_code}")
    *chatter, answer = output.strip().splitlines()
    if chatter:
        print("child said:", *chatter, sep="\n  ")
    return json.loads(answer), usage.ru_maxrss / 1024
