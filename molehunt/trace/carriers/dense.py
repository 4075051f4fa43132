"""Scheme 2's and scheme 3's robust slots beyond scheme 1's, and their document-level classes.

Per occurrence (a reader does not notice a mix): synonyms, sentence-initial connectives, contractions, a
restrictive "which"/"that", an optional "that" after a reporting verb, optional commas after an introduction and
before a clause-joining "and"/"but"/"or". One position per document (every occurrence carries the same symbol,
read back by majority): British/American spelling, -ise/-ize, email/e-mail,
honorifics' full stop, serial comma, dash style, percent style, digits/words for counts, and closed/hyphenated
compounds by prefix (co-, re-, sub-, non-, pre-, on-).

Scheme 3 adds, per occurrence: more synonyms and connectives (:mod:`molehunt.trace.carriers.phrases3`), a
restrictive "who" after a person noun that may be "that", the optional comma after a sentence-initial prepositional
phrase before a subject pronoun; at document level, the capital of label words before a number ("section
3"/"Section 3") and the list letters' parenthesis ("a)"/"(a)"). It leaves out or narrows some of scheme 2's, where one
form changes the meaning in some context (docs/trace-text.md): "both the"/"both of the", "each other", "assisted"
(dropped); the comma after an introductory clause before a noun subject, "provided that", "as long as", "with
respect to", "all of the", "no one", contractions, the optional "that" of formal reporting verbs ("requires that
you"), parentheticals holding a clause, counts after a noun modifier ("the python 3 bindings") and dashes in ranges,
columns and commands (narrowed).
"""

from __future__ import annotations

import re
from typing import Protocol

from molehunt.trace.carriers import phrases, phrases3, variants
from molehunt.trace.carriers.phrases import words
from molehunt.trace.carriers.slots import Slot
from molehunt.trace.carriers.tokens import STRIP_MARKS, Tokens, plain_form

_PHRASE = {group.forms[0]: group for group in (*phrases.SYNONYMS, *phrases.CONTRACTIONS)}
_CLAUSE_BOUND = frozenset(
    g.forms[0] for g in phrases.CONTRACTIONS if g.forms[0].split()[-1] in ("is", "are", "am", "will", "have")
)
_COMPOUND = {form: pair for pair in phrases.COMPOUNDS for form in pair}
_INTRO = frozenset(phrases.INTRODUCTIONS)
_INTRO3 = _INTRO | frozenset(phrases3.INTRODUCTIONS)
_INTRO_WORDS = max(len(intro.split()) for intro in _INTRO3)
_PHRASE3 = {group.forms[0]: group for group in phrases3.SYNONYMS}
_CONNECTIVE3 = {group.forms[0]: group for group in phrases3.CONNECTIVES}
_LABEL_NUMBER = re.compile(r"\d+(?:\.\d+)*[a-z]?")
# A list letter at the start of a paragraph or after a line ending in ":" or ";", with or without its "(".
_MARKER_BEFORE = re.compile(r"(?:[^\n]*\n[ \t]*\r?\n|[:;][ \t]*\r?\n)[ \t]*\(?")
_MARKER_AFTER = re.compile(r"\)[ \t]+")
# A roman numeral's list marker ("ii)", "(iv)"): "i)" would read as a list letter and change alone.
_ROMAN_MARKER = re.compile(r"(?m)^[ \t]*\(?[ivx]{2,}\)[ \t]")
# A list letter referred to inside a line ("In step b)"; not a roman "(i)"): it keeps its style, so the list's letters
# keep theirs too.
_LETTER_IN_PROSE = re.compile(r"(?m)(?<!^)(?<=\S)[ \t]+\(?[a-hj-uwyz]\)(?=[\s.,;:]|$)")
MARKERS = ("", "(")
"""A list letter's opening parenthesis: "a)" or "(a)", one position per document."""
WHO = ("who", "that")
"""A restrictive "who" may be "that" (one-way: "that" may name a thing)."""
_LOWER_WORDS = re.compile(r"[a-z]+(?:[ \t\n'\u2019][a-z]+)*")
_OPEN = re.compile(r"[ \t]*\r?\n?[ \t]+\(|[ \t]*\r?\n\(")
_CLOSE = re.compile(r"\)[.,;:]?(?:[ \t]*\r?\n[ \t]*|[ \t]+)")
# Shared with molehunt.trace.carriers.text (which imports this module): a word, a plain gap, a comma gap.
WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
SPACE = re.compile(r"[ \t]*\r?\n?[ \t]*")
COMMA = re.compile(r",[ \t]*\r?\n?[ \t]*")
_AFTER_WHICH = words(
    "is are was were has have had can could may might must shall should will would does do did you we they it"
)
_NOT_NOUN = words(
    "of in on at to for from by with into onto about under over through between among without within upon and or "
    "but is are was were be been determine decide know see ask choose tell show say state specify indicate"
)

_NOT_BEFORE_LABEL = phrases.SUBJECTS | words("to will would shall should may might must can could not also")
_NUMBER_WORDS = words(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred"
)
DETERMINERS = phrases.DETERMINERS
_NOUN_PHRASE_START = words("the a an this these those each every any such no your its their our")
_NOT_PARENTHETICAL = words("and or but nor see cf then")
_THAT_CONJUNCTION = words("so such now except given provided fact requirement condition notice way extent time")
_SPELLING = frozenset(variants.SPELLING)
_IZE = frozenset(pair for pair in variants.SPELLING if "iz" in pair[1] and "is" in pair[0] and "ys" not in pair[0])
_TITLES = frozenset(variants.TITLES)


class View(Protocol):
    """What the detector knows about the text (see text._Detector)."""

    t: Tokens
    n: int
    scheme: int
    strict: bool
    raws: list[str]
    gaps: list[str]  # gaps[i + 1]: after token i
    initial: list[bool]
    guard: tuple[bool, ...]
    words: list[str]  # plain_form of each token
    starts: list[int | None]  # sentence_starts
    markers: bool  # list_markers

    def _changeable(self, i: int, word: str, first: bool) -> bool: ...


def document_group(slot: Slot) -> Slot:
    """A scheme-1 slot as scheme 2 uses it: document-level classes get their group (and British forms first)."""
    group = ""
    forms = slot.forms
    if slot.kind == "part" or (slot.kind == "word" and forms in _SPELLING):
        # -ise/-ize is its own position: Oxford spelling writes -ize with -our, -re and -ll-, so no mix is noticed.
        group = "spelling -ize" if forms in _IZE else "spelling"
    elif slot.kind == "word" and forms == variants.EMAIL:
        group = "email"
    elif slot.kind == "word" and forms in _TITLES:
        group = "title"
    elif slot.kind == "number":
        group = "count"
    elif slot.kind in ("percent", "dash", "serial"):
        group = slot.kind
    if not group:
        return slot
    return Slot(slot.kind, slot.token, forms, slot.part, slot.at, group)


# "which"/"that" normalizes to "which": a normal "that is" would read as "i.e."
_ONE_WAY = frozenset(group.forms for group in (*phrases.SYNONYMS, *phrases3.SYNONYMS) if group.one_way)


def normal_symbol(slot: Slot) -> int:
    """The form :func:`text.normalize` writes: the first, but the general one ("to", "if") of a one-way group, so
    that the normal form reads the same words wherever a copy could have them."""
    return len(slot.forms) - 1 if slot.forms in _ONE_WAY or slot.kind == "paren" else 0


def token_slots(v: View, i: int) -> list[Slot] | None:
    """Scheme 2's slots on token i, or None when the token is not one of its classes (scheme 1's rules apply)."""
    raw, key = v.raws[i], v.t.keys[i]
    form, at = plain_form(raw), v.t.starts[i]
    if v.scheme >= 3:
        found = _token3(v, i, form)
        if found is not None:
            return found
    if key in _PHRASE:
        group = _PHRASE[key]
        if v.scheme >= 3 and (group.forms in phrases3.DROPPED or (v.strict and not _narrow3(v, i, key))):
            return []
        if v.strict and (not _phrase_fits(v, i, key) or (group.one_way and form != group.forms[0])):
            return []
        ok = key.startswith("i ") or v._changeable(i, raw, True)  # "I am" is capitalised anywhere
        return [Slot("word", i, group.forms, at=at)] if ok else []
    if key == phrases.CONNECTIVES.forms[0]:
        ok = v.initial[i] and v.gaps[i + 1].startswith(",") and v._changeable(i, raw, True)
        if v.scheme >= 3:  # "In addition, to the fees we add tax" is no "Moreover, to the fees"
            ok = ok and _connective_clause(v, i)
        return [Slot("word", i, phrases.CONNECTIVES.forms, at=at)] if ok or not v.strict else []
    if key == phrases.RESTRICTIVE.forms[0]:
        if v.strict and not _restrictive(v, i, form):
            return []
        return [Slot("word", i, phrases.RESTRICTIVE.forms, at=at)] if v._changeable(i, raw, True) else []
    if key in phrases.REPORTING and (form.endswith(" that") or not v.strict):
        if i + 1 >= v.n or _subject(v, i + 1) not in phrases.SUBJECTS:
            return [] if form.endswith(" that") else None
        if v.scheme >= 3 and v.strict and key not in phrases3.REPORTING:  # "requires that you include"
            return []
        verb = form.removesuffix(" that")
        return [Slot("word", i, (verb, verb + " that"), at=at)] if v._changeable(i, raw, True) else []
    if form in _COMPOUND:
        pair = _COMPOUND[form]
        prefix = pair[1].split("-")[0]
        return [Slot("word", i, pair, at=at, group="compound " + prefix)] if v._changeable(i, raw, True) else []
    return None


def _token3(v: View, i: int, form: str) -> list[Slot] | None:
    """Scheme 3's slots on token i, or None when the token is not one of its classes."""
    raw, key, at = v.raws[i], v.t.keys[i], v.t.starts[i]
    if key in _PHRASE3:
        group = _PHRASE3[key]
        if v.strict and ((group.one_way and form != group.forms[0]) or not _article_fits(v, i, group.forms)):
            return []
        if v.strict and not _narrow3(v, i, key):
            return []
        return [Slot("word", i, group.forms, at=at)] if v._changeable(i, raw, True) else []
    if key == phrases3.NEED_NOT.forms[0]:
        ok = (_modal_need(v, i) and v._changeable(i, raw, True)) or not v.strict
        return [Slot("word", i, phrases3.NEED_NOT.forms, at=at)] if ok else []
    if key in _CONNECTIVE3:
        group = _CONNECTIVE3[key]
        ok = v.initial[i] and v.gaps[i + 1].startswith(",") and v._changeable(i, raw, True)
        ok = ok and _connective_clause(v, i)
        return [Slot("word", i, group.forms, at=at)] if ok or not v.strict else []
    if form in phrases3.LABELS and raw in (form, form.capitalize()) and not v.initial[i] and i + 1 < v.n:
        if _subject(v, i - 1) in _NOT_BEFORE_LABEL:  # "we section 3 ways" would be a verb
            return None
        if not v.gaps[i + 1] or not SPACE.fullmatch(v.gaps[i + 1]) or not _LABEL_NUMBER.fullmatch(v.raws[i + 1]):
            return None
        if v.strict and not _label_ends(v, i + 1):  # "the article 2 weeks ago" counts weeks
            return None
        return [Slot("case", i, (form, form.capitalize()), at=at, group="case")]
    if form == "who":
        if not v.strict:  # reading any copy: every "who", "which" and "that" normalizes to "which"
            return [Slot("word", i, phrases.RESTRICTIVE.forms, at=at)]
        return [Slot("word", i, WHO, at=at)] if _who(v, i) and v._changeable(i, raw, True) else []
    return None


_ALONG_VERBS = words(
    "go goes went going gone get gets got getting play plays played playing come comes came coming sing sang sung "
    "singing tag tagged move moved moving pass passed passing string strung"
)
_ALL_THE_AFTER = words("same more less better worse fewer while way time rest")
_CHARGE_AFTER = words("and under to for from upon on at in by with")
_DETERMINERS_AFTER_TO = words("the a an any some such this that these those its your their our his her each every")


def _after_punctuation(v: View, i: int) -> bool:
    """Token i opens a sentence or follows a comma, a semicolon or a colon."""
    return i == 0 or v.initial[i] or re.match(r"[ \t]*[,;:]", v.gaps[i]) is not None


def _narrow3(v: View, i: int, key: str) -> bool:
    """Scheme 3's contexts for phrases one of whose forms changes the meaning elsewhere: "provided that" after a
    comma and before a subject ("the services provided that are not covered"); "as long as" opening a clause or
    after "for" ("twice as long as the block"); "with respect to" before a determiner, opening a sentence or after a
    name or a number ("with respect to time", "treated the staff with respect to the end"); "all of the" (and "all
    of its", ...) not after "at", "all of the" not before "same", "more", ...; "along with" after no verb it makes a
    phrasal verb with ("went along with the plan"); "for the purposes of" opening a sentence or after a comma
    ("asked for the purposes of the fund"); "free of charge" before "." or a preposition, after no adverb;
    "subsequently" after no determiner; "no one" before a verb ("No one size fits"); "permitted" not after
    "weather", "time", ..."""
    before = _word(v, i - 1).split()[-1] if i > 0 else ""
    after = _word(v, i + 1) if i + 1 < v.n else ""
    if key == "provided that":
        return _after_punctuation(v, i) and (_subject(v, i + 1) in phrases.SUBJECTS or after in phrases.DETERMINERS)
    if key == "as long as":  # an original "so long as" is a condition unless negated or after a copula
        so = _word(v, i).startswith("so ") and before not in ("not", *phrases.COPULAS)
        return _after_punctuation(v, i) or before == "for" or so
    if key == "with respect to":  # after a name or a number ("this License with respect to the covered work")
        named = i > 0 and (v.raws[i - 1][:1].isupper() or v.raws[i - 1][:1].isdigit())
        return after in _DETERMINERS_AFTER_TO and (named or _after_punctuation(v, i))
    if key.startswith("all of "):  # "not at all its fault", "All the same"
        return before != "at" and (key != "all of the" or after not in _ALL_THE_AFTER)
    if key == "along with":  # "went along with the plan" agreed to it
        return before not in _ALONG_VERBS
    if key == "for the purposes of":
        return _after_punctuation(v, i)
    if key == "free of charge":
        ends = i + 1 >= v.n or re.match(r"[ \t]*[.;]", v.gaps[i + 1]) is not None
        spaced = i + 1 < v.n and SPACE.fullmatch(v.gaps[i + 1]) is not None
        return before not in _ADVERBS and (ends or (spaced and after in _CHARGE_AFTER))
    if key == "subsequently":
        return before not in phrases.DETERMINERS
    if key == "no one":
        return after.split()[0] in _AFTER_NO_ONE
    if key == "permitted":
        return before not in phrases3.NOT_PERMITTED_AFTER
    return True


_ADVERBS = words("completely fully entirely totally wholly absolutely partly partially almost nearly quite")
_AFTER_LABEL = words(
    "of and or to above below is are was were shall must may will applies apply does do in on for as through makes "
    "says said states that which with within also from by"
)


def _label_ends(v: View, k: int) -> bool:
    """Scheme 3: the number at token k ends a label: the text ends, punctuation follows, or a word that never reads
    as a counted noun or unit ("section 3 of", "Section 3 applies"; not "section 2 times", "appendix 8 cm")."""
    if k + 1 >= v.n or not SPACE.fullmatch(v.gaps[k + 1]):
        return True
    after = v.raws[k + 1]
    return after[:1].isupper() or _word(v, k + 1) in _AFTER_LABEL


def _connective_clause(v: View, i: int) -> bool:
    """Scheme 3: a plain clause opens after connective i's comma. "Similarly, to the first case" means "similarly
    to"; "Similarly, named files", "In short, term contracts" and "Generally, accepted principles" could lose their
    comma in a reader's eye."""
    return i + 1 < v.n and _word(v, i + 1) not in ("to", "with") and _opens_clause(v, i + 1)


def _article_fits(v: View, i: int, forms: tuple[str, ...]) -> bool:
    """After a determiner no phrase changes ("the free of charge service" is no "the at no charge service"), and
    after "a"/"an" every form must take the same article."""
    if i == 0 or _word(v, i - 1) not in phrases.DETERMINERS:
        return True
    if any(" " in form for form in forms):
        return False
    return _word(v, i - 1) not in ("a", "an") or len({form[0] in "aeiou" for form in forms}) == 1


def _modal_need(v: View, i: int) -> bool:
    """Token i ("need not") is the modal before a bare verb of :data:`phrases3.NEED_VERBS` ("you need not comply"),
    not the noun ("no need not to worry", "a clear need not met", "a growing need not only for", "families in need
    not already covered") nor the main verb ("We need not money but time")."""
    if i == 0 or i + 1 >= v.n:
        return False
    before, after = _word(v, i - 1), v.raws[i + 1]
    if before in phrases.DETERMINERS or before == "of" or before in phrases3.PREPOSITIONS:
        return False
    if any(_word(v, k) in ("a", "an") for k in range(max(0, i - 3), i - 1)):  # "a clear need": a noun
        return False
    return after in phrases3.NEED_VERBS and after not in phrases.PARTICIPLES  # "need not read by anyone"


def _who(v: View, i: int) -> bool:
    """A restrictive "who" right after a person noun: "a deputy who can", "staff who handle", "parties who have";
    not ", who", "those who", "governs who", "the question who pays", "that transaction who receives", "tell the
    manager who called" (a question), "who to hire" nor "who is" (a copy's "that is" would read as "i.e.")."""
    if i < 1 or i + 1 >= v.n or not v.gaps[i] or not SPACE.fullmatch(v.gaps[i]) or v.guard[i - 1]:
        return False
    before, after = _word(v, i - 1), _word(v, i + 1)
    if before not in phrases3.PERSONS or not v.raws[i - 1].isalpha():
        return False
    if after in ("is", "to") or not v.raws[i + 1].isalpha() or not v.raws[i + 1].islower():
        return False
    return not _asked(v, i)


def _asked(v: View, i: int) -> bool:
    """A verb of telling or asking shortly before token i: its object may take a question or a "that" clause."""
    return any(_word(v, k).split()[0] in phrases3.ASKING for k in range(max(0, i - 6), i - 1))


def _phrase_fits(v: View, i: int, key: str) -> bool:
    """Context rules: "it is" only before a word of its clause, "you have" only as a perfect, "approximately" only
    before a number."""
    if key in phrases.BEFORE_NUMBER:
        following = _word(v, i + 1) if i + 1 < v.n else ""
        return following[:1].isdigit() or following in _NUMBER_WORDS
    if v.scheme >= 3 and key in _CONTRACTED and not _contraction_fits(v, i, key):
        return False
    if key not in _CLAUSE_BOUND:
        return True
    if i + 1 >= v.n or v.guard[i + 1] or not v.gaps[i + 1] or not SPACE.fullmatch(v.gaps[i + 1]):
        return False
    following = v.raws[i + 1]
    if not following[:1].islower() or following == "not":
        return False
    if key in phrases.PERFECT:
        return following.endswith("ed") or following in phrases.PARTICIPLES
    return True


_CONTRACTED = frozenset(group.forms[0] for group in phrases.CONTRACTIONS)
_QUESTION_SUBJECTS = phrases.SUBJECTS | {"there"}
_PERFECT_ONLY = words("been done had seen made said told agreed gone become")
_AFTER_NO_ONE = words("is was has had can could may might must shall should will would does did needs knows")
_AUXILIARY_NOT = words("do does did would should could will must cannot")
_BEFORE_SUBJECT = words(
    "and but or so that if when whenever because since unless once while where then now as how what why whether "
    "before after until although though"
)


def _contraction_fits(v: View, i: int, key: str) -> bool:
    """Scheme 3: a "have" contraction only before a participle that is never an adjective ("they have been"; "They
    have trained staff", "Do you have signed copies?" own something); no negation before a subject pronoun ("haven't
    you?"); a modal's or "do"'s "not" only before a bare verb ("A will not witnessed" is a noun); "you" and "it"
    (object pronouns too) contract only as a subject: at a sentence's or clause's start, after punctuation or a
    conjunction ("All of you are invited", "Whoever wrote it is responsible" keep theirs); no "I" after a capitalised
    word ("Part I will")."""
    first, last = key.split()[0], key.split()[-1]
    if key in phrases.PERFECT:  # only before a participle that is never an adjective ("they have been")
        return i + 1 < v.n and _word(v, i + 1) in _PERFECT_ONLY
    if last == "not" or key == "cannot":
        following = _word(v, i + 1) if i + 1 < v.n else ""
        if i + 1 < v.n and _subject(v, i + 1) in _QUESTION_SUBJECTS:
            return False  # a question's "haven't you?", "Don't you agree?" is no "have not you?"
        if first not in _AUXILIARY_NOT and key != "cannot":
            return True
        return not following.endswith("ed") and following not in phrases.PARTICIPLES
    if i == 0 or v.initial[i] or not SPACE.fullmatch(v.gaps[i]):
        return True
    before = v.raws[i - 1]
    if first == "i" and before[:1].isupper():
        return False
    if first not in ("you", "it"):  # "we", "they", "he", "she", "I" are subjects wherever they stand
        return True
    return _word(v, i - 1).split()[-1] in _BEFORE_SUBJECT  # "stating that it is": one token


def _restrictive(v: View, i: int, form: str) -> bool:
    """A relative pronoun starting a restrictive clause after a noun: "the version which is", "any work that is",
    not ", which", "in which", "so that" or "the requirement that you"."""
    if i < 2 or i + 1 >= v.n or not v.gaps[i] or not SPACE.fullmatch(v.gaps[i]):
        return False
    before, after = _word(v, i - 1), _word(v, i + 1)
    if v.scheme >= 3:  # also before a contraction's first word ("that do not", "which you have") and lexical verbs
        after = _subject(v, i + 1)
    verb = after in _AFTER_WHICH or (v.scheme >= 3 and after in phrases3.VERBS)
    if before in _NOT_NOUN or not v.raws[i - 1].isalpha() or not verb:
        return False
    if form == "that" and (after in phrases.SUBJECTS or before in _THAT_CONJUNCTION):
        return False
    if after == "is":  # "that is" is read as "i.e." (and "that is not" would be tokenized so)
        return False
    if v.scheme >= 3:  # "tell the customer which applies" asks; "told the customer that would" reports
        return _noun_before(v, i) and not _asked(v, i)
    return any(_word(v, k) in phrases.DETERMINERS for k in range(max(0, i - 3), i - 1))


# Scheme 3: adjectives that never head a noun phrase nor are verbs ("the additional terms that apply").
_ADJECTIVES = words("additional applicable relevant specific separate entire modified later further earlier previous")
# Determiners that also stand alone as a subject: "this shows which apply", "those know which apply" ask a question.
_SINGULAR_PRONOUNS = words("this that each another either neither")
_PLURAL_PRONOUNS = words("these those all some both")


def _noun_before(v: View, i: int) -> bool:
    """Scheme 3: token i - 1 is a noun, not a verb: right after a determiner, or after one and an adjective of
    :data:`_ADJECTIVES` ("the additional terms"); never "each reviewer decides which", "this shows which"."""
    noun, determiner = _word(v, i - 1), _word(v, i - 2)
    if determiner not in phrases.DETERMINERS:
        return _word(v, i - 3) in phrases.DETERMINERS and determiner in _ADJECTIVES
    plural = noun.endswith("s") and not noun.endswith("ss")
    if determiner in _SINGULAR_PRONOUNS:  # "this notice which", not "this shows which"
        return not plural
    return plural if determiner in _PLURAL_PRONOUNS else True  # "those notices that", not "those know which"


PARENTHESES = ("()", ",")
"""A short parenthetical inside a sentence: in parentheses or between commas ("the work (if any) is" / "the work,
if any, is"). Normal form: commas."""


def _parenthetical(v: View, i: int) -> list[Slot]:
    """The parenthetical opening after token i: 2 to 15 words (no number), the first lowercase and not a conjunction
    or "see", no punctuation inside."""
    if not _OPEN.fullmatch(v.gaps[i + 1]) or not WORD.fullmatch(v.raws[i]) or i + 2 >= v.n:
        return []
    first, k = i + 1, i + 1
    while k + 1 < v.n and k - first < 14 and v.gaps[k + 1] and SPACE.fullmatch(v.gaps[k + 1]):
        k += 1
    close = v.gaps[k + 1]
    closed = _CLOSE.fullmatch(close) is not None or (k + 1 == v.n and close.rstrip() in (")", ").", "),"))
    if k == first or not closed or any(v.guard[first - 1 : k + 2]):
        return []
    inside = v.raws[first : k + 1]
    if not (inside[0][:1].islower() and all(WORD.fullmatch(w) for w in inside)):
        return []
    if _word(v, first) in _NOT_PARENTHETICAL:  # "(and ...)" between commas reads as a list item
        return []
    if v.scheme >= 3 and v.strict and not _phrase_inside(v, first, k):
        return []
    return [Slot("paren", i, PARENTHESES, part=k, at=v.t.ends[i])]


_PARENTHETICAL_OPENERS = words(
    "if where when whenever unless whether which who including excluding except such as especially notably with "
    "without for at by in on from under within other via per after before during"
)
_FINITE = words("is are was were has have had do does did can could will would shall should may might must")


def _phrase_inside(v: View, first: int, last: int) -> bool:
    """Scheme 3: tokens first..last are a phrase, not a whole clause ("(the new one has no backups)", "(she reviews
    every request)" become a comma splice between commas): they open with a subordinator, a relative pronoun or
    "including", a preposition or a participle ("(for any work)", "(operated by you)"); only a subordinator's or a
    relative's clause may hold a finite verb."""
    opener = _word(v, first).split()[0]
    if opener not in _PARENTHETICAL_OPENERS and not (opener.endswith("ed") and first < last):  # "(operated by"
        return False
    if opener in ("if", "where", "when", "whenever", "unless", "whether", "which", "who"):
        return True
    return not any(_subject(v, k) in _FINITE for k in range(first, last + 1))


def gap_slots(v: View, i: int) -> list[Slot]:
    """An optional comma after token i: after a short introduction, or before "and"/"but"/"or" joining clauses; or
    a parenthetical opening after it."""
    gap = v.gaps[i + 1]
    if v.scheme >= 3 and _marker(v, i):
        return [Slot("marker", i, MARKERS, at=v.t.ends[i], group="marker")]
    if "(" in gap:
        return _parenthetical(v, i)
    comma = COMMA.fullmatch(gap) is not None
    if not comma and (v.strict or not gap or not SPACE.fullmatch(gap)):
        return []
    if i + 1 >= v.n or v.guard[i + 1]:
        return []
    slot = [Slot("comma", i, ("", ","), at=v.t.ends[i])]
    start = _sentence_start(v, i)
    if start is not None:
        intro = _INTRO3 if v.scheme >= 3 else _INTRO
        phrase = " ".join(v.words[start : i + 1])
        if v.scheme >= 3 and not v.strict:  # normal forms write every "that" as "which": "In that case" too
            phrase = re.sub(r"\bwhich\b", "that", phrase)
        if i - start < _INTRO_WORDS and phrase in intro:
            if _word(v, i + 1) in ("and", "or", "but") or (v.scheme >= 3 and not _opens_clause(v, i + 1)):
                return []
            return slot
        closed = _word(v, start) in phrases.SUBORDINATORS and 2 <= i - start <= 12 and _clause_closed(v, i)
        # scheme 3: only before a pronoun subject ("After the owner left the staff may leave" misreads)
        noun = v.scheme < 3 and _word(v, i + 1) in _NOUN_PHRASE_START
        if closed and (_subject(v, i + 1) in phrases.CLAUSE_SUBJECTS or noun):
            return slot
        if v.scheme >= 3 and _prepositional(v, start, i) and _pronoun_clause_at(v, i + 1):
            return slot
    if _word(v, i + 1) in ("and", "but", "or") and i + 3 < v.n:
        subject, verb = _subject(v, i + 2), v.raws[i + 3]
        plain = all(_plain(v, v.gaps[k + 1]) for k in (i + 1, i + 2))
        if subject in phrases.CLAUSE_SUBJECTS and plain and _LOWER_WORDS.fullmatch(verb):
            return slot
        # never before a noun subject: "pay the vendor or the client will cancel" reads "the vendor or the client"
    return []


def _opens_clause(v: View, k: int) -> bool:
    """Scheme 3: a word after an introduction that cannot continue it ("In short, staff ..." without its comma
    reads "short staff"): a pronoun, a determiner, a subordinator or a capitalised word."""
    word = _subject(v, k)
    return (
        word in phrases.CLAUSE_SUBJECTS
        or word in ("it", "there")
        or _word(v, k) in _NOUN_PHRASE_START
        or _word(v, k) in phrases.SUBORDINATORS
        or (v.raws[k][:1].isupper() and _word(v, k) not in phrases3.LABELS)  # "Section 3" may be "section 3"
    )


def _prepositional(v: View, start: int, i: int) -> bool:
    """Tokens start..i are a sentence-initial prepositional phrase (2 to 11 words) whose object is closed."""
    if _word(v, i) in _PRONOUN_OBJECTS:  # "In that, you are correct" is no "In that you are correct"
        return False
    return _word(v, start).split()[0] in phrases3.PREPOSITIONS and 1 <= i - start <= 10 and _clause_closed(v, i)


_PRONOUN_OBJECTS = words("that this these those so all it them")


def _pronoun_clause_at(v: View, k: int) -> bool:
    """Token k starts a clause with a subject pronoun ("Under this License you may"); a noun subject could continue
    the phrase before it ("With the owner the auditors must check")."""
    if k + 1 >= v.n or v.guard[k] or not _plain(v, v.gaps[k + 1]):
        return False
    return _subject(v, k) in phrases.CLAUSE_SUBJECTS and _LOWER_WORDS.fullmatch(v.raws[k + 1]) is not None


def _marker(v: View, i: int) -> bool:
    """Token i + 1 is a list letter ("a)" or "(a)") opening a paragraph or a line after ":" or ";"."""
    return v.markers and _list_letter(v, i + 1) and _MARKER_BEFORE.fullmatch(v.gaps[i + 1]) is not None


def _list_letter(v: View, k: int) -> bool:
    """Token k is a single lowercase letter at the start of a line, before ")"."""
    if k + 1 >= v.n or len(v.raws[k]) != 1 or not v.raws[k].islower():
        return False
    line_start = re.search(r"\n[ \t]*\(?$", v.gaps[k]) if k > 0 else re.fullmatch(r"\s*\(?", v.gaps[0])
    return _MARKER_AFTER.match(v.gaps[k + 1]) is not None and line_start is not None


def list_markers(v: View) -> bool:
    """Whether every list letter of the document can change style: if one cannot (it lies in what reads as code,
    inside a paragraph or at the very start), the text refers to one inside a line ("In step b)") or the document
    numbers a list with roman numerals ("ii)"), none does, so that a copy never mixes "a)" and "(a)" nor "(i)" and
    "ii)"."""
    letters = [k for k in range(v.n) if _list_letter(v, k)]
    text = v.t.text.translate(STRIP_MARKS)
    if _ROMAN_MARKER.search(text) or _LETTER_IN_PROSE.search(text):
        return False
    return bool(letters) and all(
        k > 0 and not v.guard[k - 1] and not v.guard[k] and _MARKER_BEFORE.fullmatch(v.gaps[k]) is not None
        for k in letters
    )


def _plain(v: View, gap: str) -> bool:
    """A gap of spaces only; when reading any copy (not strict), also a comma: a copy adds or drops optional commas,
    so the rules must see the same context in all of them."""
    return bool(gap) and (SPACE.fullmatch(gap) is not None or (not v.strict and COMMA.fullmatch(gap) is not None))


def _sentence_start(v: View, i: int) -> int | None:
    """The first token of i's sentence when every gap from it to i is a plain space (no other punctuation)."""
    start = v.starts[i]
    return start if start is not None and i - start <= 13 else None


def sentence_starts(v: View) -> list[int | None]:
    """For each token, :func:`_sentence_start` without the length limit, in one pass."""
    starts: list[int | None] = []
    for k in range(v.n):
        if v.initial[k]:
            starts.append(k)
        elif _plain(v, v.gaps[k]) and not v.guard[k]:
            starts.append(starts[k - 1])
        else:
            starts.append(None)
    return starts


def _clause_closed(v: View, i: int) -> bool:
    """Does token i end the introductory clause's object, so that a missing comma leads no reader astray?"""
    raw = v.raws[i]
    if _word(v, i) in phrases.OBJECT_END or raw[:1].isupper() or raw.isdigit():
        return True
    before, second = _word(v, i - 1), _word(v, i - 2)
    return before in phrases.DETERMINERS or second in phrases.DETERMINERS or before in phrases.COPULAS


def _word(v: View, k: int) -> str:
    """Token k as written (lowercase): context rules read the words themselves, not their variant-blind keys."""
    return v.words[k]


def _subject(v: View, k: int) -> str:
    """The pronoun starting token k ("you" for "you", "you are" and "you're")."""
    return re.split(r"[ ']", _word(v, k))[0]
