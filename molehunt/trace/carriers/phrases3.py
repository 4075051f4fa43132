"""Scheme 3's word lists, on top of scheme 2's (:mod:`molehunt.trace.carriers.phrases`).

The same discipline: lowercase forms, canonical first; *one-way* groups are slots only where the original has the
first form. Every group was judged for meaning in every context a licence, a report or a memo uses it, and its
yield measured on the three licences and the test prose (docs/trace-text.md "Scheme 3").

Left out on purpose: ``regarding``/``concerning`` ("regarding X as Y" is a verb), ``entire``/``whole`` ("an
entire" would need "a whole"), ``obtain``/``get`` and ``purchase``/``buy`` (register; "a purchase" is a noun),
``permits``/``allows`` ("work permits"), ``allowed``->``permitted`` ("allowed for" means took into account),
``in accord with``/``in accordance with`` ("in accord with" also means "agreeing with"), ``finally``/``lastly``
("Finally, it works" means at last), ``almost``/``nearly`` ("not nearly"), ``to the extent that``/``insofar as``
(legal scope), ``so as to``/``in order to``/``to`` (a form of two groups), ``firstly``/``first`` (a reader notices
"First, ... Secondly,"), ``at all times``/``always`` ("escorted always" reads oddly), ``who``->``that`` after
``those``/``anyone``/``everyone`` ("those that" reads as things) or after a verb ("decides who may read" asks a
question).
"""

from __future__ import annotations

from molehunt.trace.carriers.phrases import Group, words

SYNONYMS: tuple[Group, ...] = (
    Group(("nevertheless", "nonetheless")),
    Group(("apart from", "aside from")),
    Group(("for the purposes of", "for the purpose of")),
    Group(("including but not limited to", "including without limitation")),
    Group(("free of charge", "at no charge")),
    Group(("permitted", "allowed"), one_way=True),  # "allowed for" (took into account) is no "permitted for"
    Group(("permitting", "allowing"), one_way=True),
    Group(("solely", "only"), one_way=True),  # "only" also means "but" ("only, it failed")
    Group(("explicitly", "expressly"), one_way=True),
    Group(("subsequently", "later"), one_way=True),  # "later" is also an adjective ("a later version")
    Group(("in the absence of", "without"), one_way=True),
    Group(("in its entirety", "in full"), one_way=True),
    Group(("in a timely manner", "promptly"), one_way=True),
    Group(("in the near future", "soon"), one_way=True),
    Group(("at this point in time", "now"), one_way=True),
    Group(("in close proximity to", "near"), one_way=True),
)
"""Scheme 3's synonyms, one position per occurrence; after "a"/"an" only when every form takes the same article
("a solely owned" is no "a only owned")."""

NEED_NOT = Group(("need not", "needn't"))
"""The modal "need not" ("You need not comply"), after a word that is no determiner ("no need not to" is a noun)
and before a verb."""

CONNECTIVES: tuple[Group, ...] = (
    Group(("similarly", "likewise")),
    Group(("in contrast", "by contrast")),
    Group(("to date", "so far")),  # "so far as" is no "to date as": only sentence-initial before a comma
    Group(("meanwhile", "in the meantime")),
    Group(("in general", "generally")),
    Group(("in short", "in brief")),
)
"""Sentence-initial connectives before a comma ("Similarly, ..."/"Likewise, ..."), one position per occurrence."""

INTRODUCTIONS: tuple[str, ...] = tuple(form for group in CONNECTIVES for form in group.forms)
"""Scheme 3's connectives are introductions too: their comma is optional where the original has it."""

PREPOSITIONS = words("in under for with without except notwithstanding by within after before during on at upon")
"""Openers of a sentence-initial phrase whose comma is optional before a clause ("Under this License, you may"). "To"
is not one ("To do so, attach" is an imperative: without the comma "do so attach" misreads)."""

FINITE = words(
    """is are was were has have had may must shall will can cannot could would should does do did might need needs
    includes include applies apply means remains becomes"""
)
"""Verbs that show a clause: a determiner's noun followed by one of these within four words is a subject."""

WHO_BEFORE = words("those anyone everyone someone anybody everybody somebody one people all")
"""A restrictive "who" after one of these stays ("those that" reads as things)."""

WHO_VERBS = words(
    """ask asks asked choose chooses chose tell tells told see sees saw wonder wonders explain explains record
    records recorded check checks checked identify identifies identified list lists listed matter matters depend
    depends"""
)
"""Verbs before an interrogative "who" ("the owner decides who may read"; with :data:`phrases.REPORTING`)."""

LABELS = words("section sections subsection subsections article clause chapter paragraph appendix annex exhibit figure")
"""Words before a number whose capital is a document's style ("section 3"/"Section 3"): one position for all of them (a
reader notices "Section 3" next to "sections 4 and 5")."""

VERBS = words(
    """apply applies include includes contain contains require requires allow allows enable enables prohibit
    prohibits describe describes govern governs receive receives provide provides"""
)
"""Verbs that are never nouns: a restrictive "which"/"that" before one of them (or before "do not", "cannot", ...)
is a slot under scheme 3 too ("terms that prohibit"), as before an auxiliary under scheme 2."""
