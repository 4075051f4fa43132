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
``those``/``anyone``/``everyone`` ("those that" reads as things) or after anything but a person noun ("governs who
may read", "the question who pays" ask a question; "that transaction who receives" attaches to the transaction),
``solely``/``only`` ("not solely responsible" is no "not only responsible"), ``apart from``/``aside from`` ("keep
the backups apart from the originals"), ``permitting``/``allowing`` ("the permitting process"),
``explicitly``/``expressly`` ("written explicitly in terms of the inputs"), ``exhibit``/``figure`` as labels (also
verbs: "the servers exhibit 3 modes"), ``to date``/``so far`` ("So far, so good"). A second review narrowed
``for the purposes of`` (opening a sentence or after a comma: "asked for the purposes of the fund"), ``free of
charge`` (before a stop or a preposition, after no adverb: "free of charge, lien or encumbrance", "completely free of
charge before", "free of charge delivery"), ``subsequently`` (after no determiner), ``permitted`` (not in "weather
permitted") and ``need not`` (before a listed bare verb only), and scheme 2's groups in :data:`DROPPED`.
"""

from __future__ import annotations

from molehunt.trace.carriers.phrases import Group, words

SYNONYMS: tuple[Group, ...] = (
    Group(("nevertheless", "nonetheless")),
    Group(("for the purposes of", "for the purpose of")),  # only opening a sentence or after a comma
    Group(("free of charge", "at no charge")),  # only before "." or a preposition, never after an adverb
    Group(("subsequently", "later"), one_way=True),  # never after a determiner ("The subsequently amended rule")
    Group(("including but not limited to", "including without limitation")),
    Group(("permitted", "allowed"), one_way=True),  # "allowed for" (took into account) is no "permitted for"
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
"""The modal "need not" ("You need not comply") before a bare verb; never where "need" may be a noun: after a
determiner or an article's adjective ("a clear need not met"), before "to", "only" ("a growing need not only for")
or a past participle."""

CONNECTIVES: tuple[Group, ...] = (
    Group(("similarly", "likewise")),
    Group(("in contrast", "by contrast")),
    Group(("meanwhile", "in the meantime")),
    Group(("in general", "generally")),
    Group(("in short", "in brief")),
)
"""Sentence-initial connectives before a comma ("Similarly, ..."/"Likewise, ..."), one position per occurrence; not
before "to" or "with" ("Similarly, to the first case" means "similarly to")."""

INTRODUCTIONS: tuple[str, ...] = tuple(form for group in CONNECTIVES for form in group.forms)
"""Scheme 3's connectives are introductions too: their comma is optional where the original has it."""

PREPOSITIONS = words("in under for with without notwithstanding by within after before during on at upon")
"""Openers of a sentence-initial phrase whose comma is optional before a clause ("Under this License, you may"). "To"
is not one ("To do so, attach" is an imperative: without the comma "do so attach" misreads)."""

PERSONS = words(
    """person persons party parties holder holders owner owners user users recipient recipients licensee
    licensees licensor licensors contributor contributors author authors member members employee employees staff
    manager managers deputy deputies visitor visitors customer customers client clients vendor vendors reviewer
    reviewers auditor auditors officer officers administrator administrators operator operators developer developers
    individual individuals applicant applicants worker workers contractor contractors"""
)
"""Nouns naming people: a restrictive "who" only after one of these may be "that" ("a deputy who can sign"), never
after a thing ("the question who pays") nor a verb ("governs who may read")."""

ASKING = words(
    """ask asks asked asking tell tells told telling show shows showed shown inform informs informed remind reminds
    reminded notify notifies notified teach teaches taught find finds found explain explains explained"""
)
"""Verbs whose object may take a question ("tell the manager who called", "find out from the manager who signed"),
or a "that" clause ("we told the customer that would be acceptable"): no "who", "which" nor "that" slot after their
object."""

DROPPED = frozenset(
    (
        ("each other", "one another"),  # "notify each other party"
        ("assisted", "helped"),  # "assisted living facilities"
        ("both of the", "both the"),  # "Both of the owner and the recipients"
    )
)
"""Scheme 2's synonyms scheme 3 leaves out: one of their forms changes the meaning in some context."""

REPORTING = words(
    """ensure ensures ensured means mean meant say says said state states stated stating agree agrees agreed assume
    assumes assumed claim claims claimed know knows knew show shows showed note notes noted understand understands
    believe believes believed think thinks hope hopes expect expects sure aware confirm confirms confirmed"""
)
"""Scheme 3's reporting verbs with an optional "that" before a subject pronoun: scheme 2's without the formal ones
("The license requires that you include" and "You represent that you are" need their "that")."""

NOT_PERMITTED_AFTER = words("weather time space circumstances funds budget conditions health")
"""Idioms whose "permitted" stays ("weather permitted" is no "weather allowed")."""

NEED_VERBS = words(
    """be do have comply worry pay use apply accept agree attend contain follow give make keep take submit register
    sign notify wait read know respond reply return change disclose distribute modify mention obtain provide include
    require ask tell show send buy bring act continue consider attach install remove repeat renew travel"""
)
"""Bare verbs after the modal "need not" ("you need not comply"): the only ones it is a slot before ("need not
money" has "need" as a main verb)."""

LABELS = words("section sections subsection subsections article clause chapter paragraph appendix annex")
"""Words before a number whose capital is a document's style ("section 3"/"Section 3"): one position for all of them (a
reader notices "Section 3" next to "sections 4 and 5"). None is a common verb ("exhibit", "figure" are left out), and
one after a pronoun, "to" or a modal does not count."""

VERBS = words(
    """apply applies include includes contain contains require requires allow allows enable enables prohibit
    prohibits describe describes govern governs receive receives provide provides"""
)
"""Verbs that are never nouns: a restrictive "which"/"that" before one of them (or before "do not", "cannot", ...)
is a slot under scheme 3 too ("terms that prohibit"), as before an auxiliary under scheme 2."""
