"""answers/: insiders.csv and one file per insider listing `<source>,<row as written>` for every malicious
row, in time order. Built only from rows the writers actually wrote, so every line is verbatim."""

from __future__ import annotations

from pathlib import Path

from molehunt.synth import schema
from molehunt.synth.config import InsiderRecord, SynthConfig
from molehunt.synth.dates import answers_format, to_datetime
from molehunt.synth.plan import InsiderPlan
from molehunt.synth.writer import MaliciousLine


def write_answers(
    cfg: SynthConfig, user_ids: list[str], plans: list[InsiderPlan], lines: list[MaliciousLine], out_dir: Path
) -> tuple[list[InsiderRecord], dict[str, int]]:
    """Write answers/ and return the insiders (sorted by scenario, then user) and rows per file."""
    by_insider: dict[int, list[MaliciousLine]] = {}
    for m in lines:
        by_insider.setdefault(m.insider, []).append(m)
    order = {s: i for i, s in enumerate(schema.SOURCES)}
    records: list[tuple[InsiderRecord, str]] = []
    counts: dict[str, int] = {}
    for i, p in enumerate(plans):
        mine = sorted(by_insider.get(i, []), key=lambda m: (m.t, order[m.source]))
        if not mine:
            continue
        uid = user_ids[p.user]
        details = f"r{cfg.dataset}-{p.scenario}-{uid}.csv"
        rel = f"answers/r{cfg.dataset}-{p.scenario}/{details}"
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes("".join(f"{m.source},{m.line}\n" for m in mine).encode("ascii"))
        counts[rel] = len(mine)
        rec = InsiderRecord(uid, p.scenario, to_datetime(cfg.start, mine[0].t), to_datetime(cfg.start, mine[-1].t))
        records.append((rec, details))
    records.sort(key=lambda r: (r[0].scenario, r[0].user_id))
    rows = [
        f"{cfg.dataset},{r.scenario},{details},{r.user_id},{answers_format(r.start)},{answers_format(r.end)}"
        for r, details in records
    ]
    (out_dir / "answers").mkdir(parents=True, exist_ok=True)
    text = ",".join(schema.INSIDERS) + "\n" + "".join(row + "\n" for row in rows)
    (out_dir / "answers" / "insiders.csv").write_bytes(text.encode("ascii"))
    counts["answers/insiders.csv"] = len(rows)
    return [r for r, _ in records], counts
