"""Simulate only when the same simulation is not already on disk (the output is deterministic per config)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from molehunt.synth.config import SynthConfig
from molehunt.synth.generate import generate, generate_hr
from molehunt.synth.hr import HR_FILE

MARKER = "molehunt-synth.json"
# fields added after caches were written; left out of the key while None (they then change no byte), so an
# existing simulation stays valid
LATER_FIELDS = ("profile", "departures_known")


def cache_key(config: SynthConfig) -> str:
    """The marker text for `config`: every field that can change the output, profile and departures included."""
    fields = asdict(config)
    for name in LATER_FIELDS:
        if fields[name] is None:
            del fields[name]
    return json.dumps(fields, default=str, sort_keys=True)


def ensure_generated(
    config: SynthConfig, out_dir: Path, progress: Callable[[str, int, int], None] | None = None
) -> bool:
    """Write the simulation into out_dir unless a finished one of the same config is there; True if written.

    The marker file is written last, so an interrupted simulation is redone rather than trusted.
    """
    marker = out_dir / MARKER
    wanted = cache_key(config)
    if marker.is_file() and marker.read_text() == wanted:
        if not (out_dir / HR_FILE).is_file():  # simulated before the HR export existed: add it alone
            generate_hr(config, out_dir)
        return False
    generate(config, out_dir, progress=progress)
    marker.write_text(wanted)
    return True
