"""What a leaker does to a text copy before it comes back, and what each attack leaves of the fingerprint.

Attacks (each a function ``str -> str``; seeded where random):

- ``as is``: the copy itself.
- ``zero-width stripped``: every Unicode format character (category Cf) removed, NFKC, whitespace collapsed.
- ``spell-checked``: zero-width stripped, then every word Debian's hunspell (en_US dictionary) flags is replaced
  by its American suggestion (a careful leaker picking the right one, not the first: "organise" -> "organize",
  "Colour" -> "Color", "judgement" -> "judgment"); words in capitals and mixed case are left alone.
- ``re-wrapped``: paragraphs refilled to 60 columns.
- ``excerpt 20%``: a contiguous fifth of the paragraphs.
- ``retyped``: spell-checked, straight quotes, " - " for every dash, a transposition typo in 2% of the long words,
  refilled to 72 columns.

    .venv/bin/python bench/text_attacks.py                      # the three licences under /usr/share/common-licenses
    .venv/bin/python bench/text_attacks.py --texts a.txt b.txt  # other texts
    .venv/bin/python bench/text_attacks.py --density            # robust positions per scheme only (fast)

First a table of robust positions per text under every scheme and their density per word (the aim is one per 10
words, 0.100). Then the attack table: robust positions (those that survive retyping) read right, wrong and erased
per attack, fragile positions read, and whether a single leaker among 30 recipients is named at eps 1e-5 (and nobody
else) over ``--trials`` keys. Needs hunspell and hunspell-en-us (``make hunspell`` as root installs them).
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from molehunt.errors import MolehuntError
from molehunt.trace.carriers.text import CURRENT_SCHEME, SCHEMES, embed, extract, layout
from molehunt.trace.code import FingerprintCode, accuse

LICENCES = ("/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0",
            "/usr/share/common-licenses/MPL-2.0")  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")  # "shouldn't" is one word to a spell checker
_DASH = re.compile(r"\s*[\u2014\u2013]\s*|\s+--?\s+")
# British -> American rewrites a careful leaker accepts from the spell checker's suggestions.
_RULES = (
    ("is", "iz"), ("ys", "yz"), ("our", "or"), ("tre", "ter"), ("ll", "l"), ("ence", "ense"), ("ey", "ay"),
    ("logue", "log"), ("gement", "gment"), ("oe", "e"), ("ae", "e"), ("ou", "o"), ("ph", "f"), ("l", "ll"),
)  # fmt: skip


class SpellCheckerMissing(MolehuntError):
    """Debian's hunspell or its en_US dictionary is not installed."""


def as_is(text: str) -> str:
    return text


def strip_invisible(text: str) -> str:
    """Format characters (category Cf) removed, NFKC, every run of whitespace one space."""
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", visible)).strip()


def _hunspell(words: Iterable[str], dictionary: str) -> dict[str, list[str]]:
    """The flagged words among ``words`` and hunspell's suggestions for each."""
    if shutil.which("hunspell") is None:
        raise SpellCheckerMissing("the spell-check attack needs hunspell: apt-get install hunspell hunspell-en-us")
    unique = sorted(set(words))
    result = subprocess.run(
        ["hunspell", "-d", dictionary, "-a"],
        input="".join(f"^{w}\n" for w in unique),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or "Can't open affix or dictionary" in result.stderr:
        raise SpellCheckerMissing(f"hunspell could not open the {dictionary} dictionary: {result.stderr.strip()}")
    flagged: dict[str, list[str]] = {}
    answers = [block.splitlines() for block in result.stdout.split("\n\n")]
    lines = [line for block in answers for line in block[-1:]]  # one answer line per word, after the banner
    for word, line in zip(unique, [ln for ln in lines if ln and not ln.startswith("@")], strict=False):
        if line.startswith("&"):
            flagged[word] = line.split(": ", 1)[1].split(", ")
        elif line.startswith("#"):
            flagged[word] = []
    return flagged


def _american(word: str, suggestions: list[str]) -> str:
    """The suggestion that is ``word`` in American spelling (one rule applied once), else ``word``."""
    candidates = {
        word[:m.start()] + us + word[m.end():]
        for gb, us in _RULES
        for m in re.finditer(re.escape(gb), word)
    }  # fmt: skip
    for suggestion in suggestions:
        if suggestion in candidates:
            return suggestion
    close = [s for s in suggestions if " " not in s and "-" not in s and s.islower()]
    if close and difflib.SequenceMatcher(None, word, close[0]).ratio() >= 0.9:
        return close[0]
    return word


def spell_check(text: str, dictionary: str = "en_US") -> str:
    """Zero-width stripped, then every word the dictionary flags replaced by its American spelling."""
    return _fix_spelling(strip_invisible(text), dictionary)


def _fix_spelling(text: str, dictionary: str = "en_US") -> str:
    """Flagged lowercase and capitalised words (a sentence's first word) in American spelling, case kept."""
    words = {_plain(w) for w in _WORD.findall(text) if len(w) >= 4 and (w.islower() or w[1:].islower())}
    fixes = {w: _american(w, s) for w, s in _hunspell(words, dictionary).items()}

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        new = fixes.get(_plain(word), _plain(word))
        if new == _plain(word):
            return word
        return new if word.islower() else new[:1].upper() + new[1:] if word[1:].islower() else word

    return _WORD.sub(fix, text)


def _plain(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def rewrap(text: str, width: int = 60) -> str:
    return "\n\n".join(textwrap.fill(block, width=width) for block in text.split("\n\n"))


def excerpt(text: str, share: float = 0.2, seed: int = 0) -> str:
    """A contiguous ``share`` of the paragraphs (at least one)."""
    blocks = text.split("\n\n")
    width = max(1, round(len(blocks) * share))
    start = int(np.random.default_rng(seed).integers(0, len(blocks) - width + 1))
    return "\n\n".join(blocks[start : start + width])


def retype(text: str, seed: int = 0) -> str:
    """What a person retyping the copy produces (after a spell check): no marks, plain quotes and dashes, typos."""
    rng = np.random.default_rng(seed)
    visible = unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cf"))
    plain = _fix_spelling(visible)
    plain = plain.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}))
    plain = _DASH.sub(" - ", plain)

    def typo(m: re.Match[str]) -> str:
        word = m.group()
        if len(word) < 7 or rng.random() > 0.02:
            return word
        k = int(rng.integers(1, len(word) - 2))
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :]

    return rewrap(_WORD.sub(typo, plain), width=72)


ATTACKS: dict[str, Callable[[str], str]] = {
    "as is": as_is,
    "zero-width stripped": strip_invisible,
    "spell-checked": spell_check,
    "re-wrapped": rewrap,
    "excerpt 20%": excerpt,
    "retyped": retype,
}


def print_density(names: list[str]) -> None:
    """Robust positions of each text under every scheme, and the current scheme's positions per word."""
    schemes = sorted(SCHEMES)
    print("robust positions per scheme (positions that survive retyping); target: one per 10 words = 0.100")
    print(f"{'text':<12} {'words':>6} " + " ".join(f"{'scheme ' + str(s):>8}" for s in schemes) + f" {'per word':>8}")
    for name in names:
        original = Path(name).read_text(encoding="utf-8")
        words = len(original.split())
        counts = [layout(original, s).robust for s in schemes]
        density = counts[-1] / words
        print(f"{Path(name).name:<12} {words:>6,} " + " ".join(f"{c:>8}" for c in counts) + f" {density:>8.3f}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", nargs="+", default=list(LICENCES))
    parser.add_argument("--trials", type=int, default=5, help="document keys per attack for the 30-recipient test")
    parser.add_argument("--scheme", type=int, default=CURRENT_SCHEME)
    parser.add_argument("--density", action="store_true", help="print the density table only")
    args = parser.parse_args()
    print_density(args.texts)
    if args.density:
        return
    print(f"scheme {args.scheme}; robust = positions that survive retyping; named = the single leaker among 30 "
          f"recipients named alone at eps 1e-5 ({args.trials} keys)")  # fmt: skip
    print(f"{'text':<12} {'words':>6} {'robust':>6} {'per word':>8}  {'attack':<20} {'right':>5} {'wrong':>5} "
          f"{'erased':>6} {'fragile read':>12} {'named':>6} {'innocents':>9}")  # fmt: skip
    for name in args.texts:
        original = Path(name).read_text(encoding="utf-8")
        shape = layout(original, args.scheme)
        words = len(original.split())
        recipients = [f"r{i:02d}" for i in range(30)]
        for attack, run in ATTACKS.items():
            right = wrong = erased = fragile = named = innocents = 0
            for trial in range(args.trials):
                code = FingerprintCode(trial.to_bytes(32, "big"), shape.alphabet)
                symbols = code.codeword("r07")
                read = extract(original, run(embed(original, symbols, args.scheme)), args.scheme)
                robust, want = read[: shape.robust], symbols[: shape.robust]
                right += int((robust == want).sum())
                wrong += int(((robust != want) & (robust >= 0)).sum())
                erased += int((robust < 0).sum())
                fragile += int((read[shape.robust :] >= 0).sum())
                accused = [r for r, _ in accuse(code, read, recipients, eps=1e-5).accused]
                named += accused == ["r07"]
                innocents += sum(r != "r07" for r in accused)
            t = args.trials
            print(f"{Path(name).name:<12} {words:>6,} {shape.robust:>6} {shape.robust / words:>8.3f}  {attack:<20} "
                  f"{right / t:>5.0f} {wrong / t:>5.0f} {erased / t:>6.0f} {fragile / t:>12,.0f} {named:>3}/{t:<2} "
                  f"{innocents:>9}")  # fmt: skip
        sys.stdout.flush()


if __name__ == "__main__":
    main()
