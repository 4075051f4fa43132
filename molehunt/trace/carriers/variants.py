"""The robust layer's word list: interchangeable forms that keep a document's exact meaning.

Each group lists lowercase forms; the first is the canonical form :func:`molehunt.trace.carriers.text.normalize`
writes. The list is curated and conservative: a pair is here only when both forms are standard English with the
same meaning in every context a technical or administrative text uses them. Left out on purpose, because one form
has a second meaning: licence/license and practice/practise (noun vs verb in British use), program/programme,
dialog/dialogue (a dialog box), metre/meter (a device), tyre/tire, cheque/check, storey/story, disc/disk,
enquiry/inquiry, learnt/learned ("a learned society"), upon/on, forward(s)/backward(s)/upward(s) (adjectives,
"upwards of"), analyses/analyzes ("analyses" is also the plural of "analysis"), humorous/rigorous/laborious (one
spelling on both sides of the Atlantic).
"""

from __future__ import annotations

from itertools import product


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _suffixed(pairs: tuple[tuple[str, str], ...], suffixes: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(gb + s_gb, us + s_us) for (gb, us), (s_gb, s_us) in product(pairs, suffixes)]


# -ise/-ize verbs and their derived nouns; words always spelt -ise (advise, comprise, exercise, supervise,
# enterprise, compromise, surprise, revise, devise, expertise) are not stems here.
_IZE_STEMS = (
    "anonym", "apolog", "author", "capital", "categor", "central", "character", "critic", "custom", "digit",
    "emphas", "final", "formal", "general", "global", "harmon", "initial", "legal", "local", "maxim", "memor",
    "minim", "mobil", "modern", "neutral", "normal", "optim", "organ", "parameter", "penal", "prioriti",
    "pseudonym", "rational", "real", "recogn", "sanit", "serial", "special", "stabil", "standard", "summar",
    "symbol", "synchron", "token", "util", "visual",
)  # fmt: skip
_IZE_SUFFIXES = (
    ("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"), ("isation", "ization"),
    ("isations", "izations"), ("isational", "izational"), ("iser", "izer"), ("isers", "izers"),
)  # fmt: skip

_YSE = (("analys", "analyz"), ("paralys", "paralyz"), ("catalys", "catalyz"))
_YSE_SUFFIXES = (("e", "e"), ("ed", "ed"), ("ing", "ing"), ("er", "er"), ("ers", "ers"))

_OUR = (
    "armour", "behaviour", "clamour", "colour", "endeavour", "favour", "flavour", "harbour", "honour", "humour",
    "labour", "neighbour", "odour", "rumour", "vapour", "vigour",
)  # fmt: skip
_OUR_SUFFIXES = (
    "", "s", "ed", "ing", "al", "ally", "able", "ably", "ite", "ites", "ful", "less", "er", "ers", "hood", "hoods",
)  # fmt: skip

_RE = (
    "calibre", "centimetre", "centre", "fibre", "kilometre", "litre", "lustre", "meagre", "millimetre", "sabre",
    "sombre", "spectre", "theatre",
)  # fmt: skip

# Verbs that double a final l in British spelling only.
_LL = ("cancel", "channel", "counsel", "dial", "equal", "fuel", "label", "level", "marvel", "model", "signal",
       "total", "travel", "tunnel")  # fmt: skip
_LL_SUFFIXES = (("led", "ed"), ("ling", "ing"), ("ler", "er"), ("lers", "ers"), ("lor", "or"), ("lors", "ors"))

_MISC: tuple[tuple[str, str], ...] = (
    ("acknowledgement", "acknowledgment"), ("acknowledgements", "acknowledgments"), ("ageing", "aging"),
    ("aluminium", "aluminum"), ("analogue", "analog"), ("analogues", "analogs"), ("benefitted", "benefited"),
    ("benefitting", "benefiting"), ("catalogue", "catalog"), ("catalogued", "cataloged"), ("catalogues", "catalogs"),
    ("cataloguing", "cataloging"), ("defence", "defense"), ("defences", "defenses"), ("enrol", "enroll"),
    ("enrolment", "enrollment"), ("enrolments", "enrollments"), ("enrols", "enrolls"), ("focussed", "focused"),
    ("focussing", "focusing"), ("fulfil", "fulfill"), ("fulfilment", "fulfillment"), ("fulfils", "fulfills"),
    ("grey", "gray"), ("greyed", "grayed"), ("instalment", "installment"), ("instalments", "installments"),
    ("judgement", "judgment"), ("judgements", "judgments"), ("manoeuvre", "maneuver"), ("manoeuvred", "maneuvered"),
    ("manoeuvres", "maneuvers"), ("marvellous", "marvelous"), ("mould", "mold"), ("offence", "offense"),
    ("offences", "offenses"), ("orientated", "oriented"), ("plough", "plow"), ("pretence", "pretense"),
    ("sceptical", "skeptical"), ("skilful", "skillful"), ("sulphur", "sulfur"), ("wilful", "willful"),
)  # fmt: skip


def _spelling() -> list[tuple[str, ...]]:
    pairs = _suffixed(tuple((s, s) for s in _IZE_STEMS), _IZE_SUFFIXES)
    pairs += _suffixed(_YSE, _YSE_SUFFIXES)
    pairs += [(w + s, w[:-3] + "or" + s) for w in _OUR for s in _OUR_SUFFIXES]
    for w in _RE:
        us = w[:-2] + "er"
        pairs += [(w, us), (w + "s", us + "s"), (w[:-1] + "ed", us + "ed"), (w[:-2] + "ring", us + "ing")]
    pairs += _suffixed(tuple((w, w) for w in _LL), _LL_SUFFIXES)
    pairs += list(_MISC)
    return [pair for pair in pairs if pair[0] != pair[1]]


SPELLING: tuple[tuple[str, ...], ...] = tuple(_spelling())
"""British / American spelling pairs, British first."""

FUNCTION_WORDS: tuple[tuple[str, ...], ...] = (
    ("towards", "toward"),
    ("amongst", "among"),
    ("amidst", "amid"),
    ("afterwards", "afterward"),
    ("while", "whilst"),
)
"""Function words with an optional suffix; "while" only as a conjunction (see ``WHILE_NOUN_BEFORE``)."""

WHILE_NOUN_BEFORE = _words(
    "a the this that worth short little long good great some all any your our their his her its my quite once "
    "meanwhile after for"
)
"""A "while" right after one of these is the noun ("a while", "worth your while") and no slot."""

EXAMPLE = ("for example", "e.g.", "for instance")
"""An "e.g." may take any of the three; "for example"/"for instance" swap only with each other."""

THAT_IS = ("that is", "i.e.")
"""Only an original "i.e." is a slot: a plain "that is" is usually not one."""

TITLES = (("dr", "dr."), ("mr", "mr."), ("mrs", "mrs."), ("ms", "ms."))
"""Honorifics before a capitalised name, with or without the full stop."""

EMAIL = ("email", "e-mail")

NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
"""2 to 9 as digits or words, only as a count before a plural noun ("3 servers"/"three servers")."""

NUMBER_LABEL_BEFORE = _words(
    "version release step section chapter figure table page level phase tier stage room floor building item rule "
    "article clause annex appendix part grade class type model no number category priority rev revision line row "
    "column option case v vol volume issue exhibit schedule paragraph point unit team group batch round"
)
"""A number after one of these is a label ("version 3 releases"), never rewritten."""

UNIT_AFTER = _words("mins secs hrs ms kbps mbps gbps kbs mbs gbs bps rpm kms lbs ins yds fts")
"""Abbreviated units ending in s: a count before them stays as written."""

NOT_PLURAL = _words(
    "is was has does this thus as its his us yes less unless across plus minus whereas always perhaps sometimes "
    "towards afterwards"
)
"""Words ending in s after a number that are not the counted noun ("3 is", "2 plus 2")."""

PERCENT = ("percent", "%", "per cent")
"""After a number: "10 percent", "10%", "10 per cent"."""

DASHES = ("\u2014", " \u2014 ", " \u2013 ")
"""A dash between two words: closed em dash, spaced em dash, spaced en dash."""

CALENDAR = _words(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun january "
    "february march april may june july august september october november december jan feb mar apr jun jul aug sep "
    "sept oct nov dec"
)
"""Scheme 3: a dash beside a day or month name is a range ("Monday - Friday"), no dash slot."""

PROGRAMS = _words(
    "git pip pip3 python python3 sudo apt apt-get npm docker curl wget ssh dpkg cd ls rm cp mv tar chmod kubectl "
    "molehunt"
)
"""Scheme 3: a line opened by one of these is a command line, no slot and no mark ("pip install colour")."""

COMMANDS = PROGRAMS | _words("run checkout diff log reset")
"""Scheme 3: a "--" after one of these ends a command's options ("git checkout -- file"), no dash slot."""
