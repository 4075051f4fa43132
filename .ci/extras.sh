#!/usr/bin/env bash
# Every documented extra, installed the way a user installs it: a clean venv with only `.[spark]` (no dev extra to
# bring pandas or anything else along), then a small simulated organization scored with `--engine spark`.
# Fails loudly on the first step that does not work. Usage: .ci/extras.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-${PYTHON:-python3}}
work=$(mktemp -d "${TMPDIR:-/tmp}/molehunt-extras.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "error: .ci/extras.sh: $*" >&2; exit 1; }

"$PYTHON" -m venv "$work/venv" || fail "could not create a venv with $PYTHON"
"$work/venv/bin/python" -m pip install --quiet -c constraints.txt -e '.[spark]' ||
	fail "pip install -c constraints.txt -e '.[spark]' failed"
molehunt=("$work/venv/bin/molehunt" --home "$work/home")
"${molehunt[@]}" synth --users 20 --days 40 --seed 1 --out "$work/data" >"$work/synth.log" 2>&1 ||
	{ cat "$work/synth.log" >&2; fail "molehunt synth failed"; }
"${molehunt[@]}" ingest "$work/data" >"$work/ingest.log" 2>&1 ||
	{ cat "$work/ingest.log" >&2; fail "molehunt ingest failed"; }
"${molehunt[@]}" score --engine spark --out "$work/scores.csv" >"$work/score.log" 2>&1 ||
	{ cat "$work/score.log" >&2; fail "molehunt score --engine spark failed in a venv with only the spark extra"; }
rows=$(($(wc -l <"$work/scores.csv") - 1))
[ "$rows" -gt 0 ] || fail "molehunt score --engine spark wrote no scores"
echo "extras: spark ok (a clean venv with only .[spark] scored $rows user-days on Spark)"
