"""Scheme 2's extra word lists: phrases, contractions, compounds and optional words that keep a text's meaning.

Every group lists lowercase forms, canonical (the form :func:`molehunt.trace.carriers.text.normalize` writes)
first. A group is *two-way* when a copy may write any form whatever the original had, *one-way* when only an
original written in the first form is a slot (the other forms are not always replaceable by it: "before" is not
always "prior to", "to" is not always "in order to").

Curated and conservative; left out on purpose (one form has another meaning or register in some context):
``while``/``although`` (time), ``since``/``because`` (time), ``shall``/``must``/``will`` and ``may``/``can``
(legal force), ``each``/``every``, ``upon``/``on``, ``whom``/``who`` ("to whom"), ``whether``/``if``,
``whether or not``/``whether`` (adverbial clauses need "or not"), ``thus``/``hence`` ("in this way", "from now"),
``about``/``approximately`` ("about the work"), ``like``/``such as``, ``can not``/``cannot`` ("can not do X" means
may refrain), ``let us``/``let's`` ("let us go" = allow us), ``have``/``'ve`` as a main verb ("you've the right"),
``it will``/``it'll`` (spoken register), ``that is``/``that's`` (taken by "i.e."), ``etc.``/``and so on`` (the
full stop of "etc." may also end the sentence).
"""

from __future__ import annotations

from dataclasses import dataclass


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Group:
    forms: tuple[str, ...]
    one_way: bool = False


SYNONYMS: tuple[Group, ...] = (
    Group(("anyone", "anybody")),
    Group(("everyone", "everybody")),
    Group(("someone", "somebody")),
    Group(("no one", "nobody")),
    Group(("in spite of", "despite")),
    Group(("regardless of", "irrespective of")),
    Group(("with respect to", "with regard to")),
    Group(("as long as", "so long as")),
    Group(("all of the", "all the")),
    Group(("all of its", "all its")),
    Group(("all of your", "all your")),
    Group(("all of their", "all their")),
    Group(("all of these", "all these")),
    Group(("all of those", "all those")),
    Group(("all of this", "all this")),
    Group(("both of the", "both the")),
    Group(("although", "though"), one_way=True),  # "though" is also an adverb ("It works, though.")
    Group(("prior to", "before"), one_way=True),
    Group(("numerous", "many"), one_way=True),
    Group(("in order to", "to"), one_way=True),
    Group(("in the event that", "if"), one_way=True),
    Group(("provided that", "provided"), one_way=True),
    Group(("therefore", "consequently"), one_way=True),
    Group(("in lieu of", "instead of")),
    Group(("along with", "together with")),
    Group(("with the exception of", "except for")),
    Group(("per annum", "per year")),
    Group(("in order that", "so that"), one_way=True),  # "so that" may also mean "with the result that"
    Group(("due to the fact that", "because"), one_way=True),
    Group(("in the course of", "during"), one_way=True),
    Group(("subsequent to", "after"), one_way=True),
    Group(("until such time as", "until"), one_way=True),
    Group(("not less than", "at least"), one_way=True),  # "at least" also means "anyway"
    Group(("not more than", "at most"), one_way=True),
    Group(("in excess of", "more than"), one_way=True),
    Group(("is able to", "can"), one_way=True),
    Group(("on a regular basis", "regularly"), one_way=True),
    Group(("at the present time", "currently"), one_way=True),
    Group(("frequently", "often")),
    Group(("perhaps", "maybe")),
    Group(("each other", "one another")),
    Group(("approximately", "about"), one_way=True),  # only before a number: "about the work" is no amount
    Group(("commence", "begin"), one_way=True),
    Group(("commences", "begins"), one_way=True),
    Group(("commencing", "beginning"), one_way=True),  # not "commenced": "began" or "begun"
    Group(("assist", "help"), one_way=True),
    Group(("assists", "helps"), one_way=True),
    Group(("assisted", "helped"), one_way=True),
    Group(("assisting", "helping"), one_way=True),
)
"""Synonyms, one position per occurrence (a reader does not notice "despite" next to "in spite of")."""

BEFORE_NUMBER = frozenset({"approximately"})
"""Slots only before a number (digits or a number word)."""

CONNECTIVES = Group(("moreover", "furthermore", "in addition", "additionally"))
"""Sentence-initial connectives before a comma (4-ary), one position per occurrence."""

RESTRICTIVE = Group(("which", "that"), one_way=True)
"""A restrictive relative pronoun after a noun (no comma before it): "which" may be "that" before a verb or a
subject, "that" may be "which" before a verb only (before a subject it may be a conjunction: "the requirement that
you keep"). Normal form: "which" (a normal "that is" would read as "i.e.")."""

_NEGATIONS = (
    ("do not", "don't"), ("does not", "doesn't"), ("did not", "didn't"), ("is not", "isn't"), ("are not", "aren't"),
    ("was not", "wasn't"), ("were not", "weren't"), ("has not", "hasn't"), ("have not", "haven't"),
    ("had not", "hadn't"), ("would not", "wouldn't"), ("should not", "shouldn't"), ("could not", "couldn't"),
    ("will not", "won't"), ("cannot", "can't"), ("must not", "mustn't"),
)  # fmt: skip
_PRONOUN_VERBS = (
    ("it is", "it's"), ("you are", "you're"), ("you will", "you'll"), ("we are", "we're"), ("we will", "we'll"),
    ("they are", "they're"), ("they will", "they'll"), ("there is", "there's"), ("i am", "i'm"), ("i will", "i'll"),
    ("he is", "he's"), ("she is", "she's"), ("he will", "he'll"), ("she will", "she'll"),
)  # fmt: skip
_PERFECT = (("you have", "you've"), ("we have", "we've"), ("they have", "they've"), ("i have", "i've"))

CONTRACTIONS: tuple[Group, ...] = tuple(Group(pair) for pair in _NEGATIONS + _PRONOUN_VERBS + _PERFECT)
"""Contractions, one position per occurrence; a pronoun's "is/are/will" only before a word in the same clause."""

PERFECT = frozenset(full for full, _ in _PERFECT)
"""Contracted only before a past participle ("you have received" -> "you've received", not "you've the right")."""

PARTICIPLES = words(
    "been made done given seen chosen written taken got gotten had read put sent paid kept found lost met said told "
    "won built bought brought held known shown spent taught thought understood agreed"
)
"""Irregular past participles (regular ones end in -ed)."""

COMPOUNDS: tuple[tuple[str, str], ...] = (
    ("cooperate", "co-operate"), ("cooperates", "co-operates"), ("cooperated", "co-operated"),
    ("cooperating", "co-operating"), ("cooperation", "co-operation"), ("cooperative", "co-operative"),
    ("coordinate", "co-ordinate"), ("coordinated", "co-ordinated"), ("coordinates", "co-ordinates"),
    ("coordinating", "co-ordinating"), ("coordination", "co-ordination"), ("coordinator", "co-ordinator"),
    ("coordinators", "co-ordinators"), ("reuse", "re-use"), ("reused", "re-used"), ("reuses", "re-uses"),
    ("reusing", "re-using"), ("reusable", "re-usable"), ("online", "on-line"), ("subsection", "sub-section"),
    ("subsections", "sub-sections"), ("sublicense", "sub-license"), ("sublicenses", "sub-licenses"),
    ("sublicensing", "sub-licensing"), ("sublicensed", "sub-licensed"), ("sublicensable", "sub-licensable"),
    ("preexisting", "pre-existing"), ("coworker", "co-worker"), ("coworkers", "co-workers"),
    ("nonexclusive", "non-exclusive"), ("nonfree", "non-free"), ("noncommercial", "non-commercial"),
    ("nonprofit", "non-profit"), ("nonzero", "non-zero"), ("nonempty", "non-empty"),
)  # fmt: skip
"""Closed and hyphenated spellings: one document-level position per word (a mix in one text is noticed)."""

REPORTING = words(
    """ensure ensures ensured means mean meant require requires required say says said state states stated stating
    agree agrees agreed assume assumes assumed claim claims claimed know knows knew show shows showed indicate
    indicates indicated note notes noted acknowledge acknowledges acknowledged understand understands certify
    certifies represent represents warrant warrants believe believes believed verify verifies demonstrate
    demonstrates determine determines decide decides decided affirm affirms declare declares think thinks hope
    hopes expect expects sure aware confirm confirms confirmed"""
)
"""Verbs and adjectives whose "that" is optional before a subject pronoun ("ensure that you" / "ensure you")."""

SUBJECTS = words("you we they he she i it")
"""Subject pronouns a dropped "that" may precede (then the clause cannot be misread)."""

INTRODUCTIONS: tuple[str, ...] = (
    "for example", "for instance", "also", "finally",
    "otherwise", "therefore", "consequently", "accordingly", "in particular", "in practice", "in general", "in short",
    "instead", "meanwhile", "nevertheless", "nonetheless", "of course", "at present", "in this case", "in that case",
    "in such cases", "in either case", "in any case", "by default", "if so", "if not", "to date", "so far", "first",
    "second", "third", "lastly", "currently", "today", "similarly", "likewise", "generally", "typically", "usually",
    "normally", "in turn", "as a result", "for this reason", "in contrast", "by contrast", "in this section",
    "in this document", "in this license", "in this policy", "in practice", "where possible", "if possible",
    "if necessary",
)  # fmt: skip
"""Sentence-initial phrases whose comma is optional ("In practice, the team ..."); "However" is not one of them
("However the work is built" means "in whatever way"), nor the connectives ("Moreover the ..." reads badly)."""

SUBORDINATORS = words("if when unless once where whenever although though because after before until")
"""Openers of an introductory clause whose comma is optional when a subject pronoun follows it."""

CLAUSE_SUBJECTS = words("you we they he she i")

OBJECT_END = words(
    """it them him her us me this that these those so too also here there above below again now first later together
    directly only yourself yourselves themselves itself ourselves all"""
)
"""Words that close a clause's object: no garden path when its comma goes ("If you copy it you must ...")."""

DETERMINERS = words("the a an this that these those each every any some such your our their its his her no another all")
COPULAS = words("is are was were be been being becomes become remains remain")
