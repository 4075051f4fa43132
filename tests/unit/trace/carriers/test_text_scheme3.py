"""Scheme 3: more synonyms and connectives, a restrictive "who", and optional commas before clauses.

Each class: where it is a slot, where it must not be one, both forms written, read back after a spell check and a
retyping, and every copy normalizing to its original.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.text_attacks import retype, spell_check
from molehunt.trace.carriers import phrases3
from molehunt.trace.carriers.text import STRIP_MARKS, _plan, embed, extract, layout, normalize
from molehunt.trace.code import FingerprintCode, accuse
from tests.unit.trace.carriers.conftest import assert_round_trips, codeword, licence
from tests.unit.trace.carriers.prose import documents

DENSITY_FLOOR = {"GPL-3": 0.025, "MPL-2.0": 0.016, "Apache-2.0": 0.021}

EXAMPLES = (
    "Nevertheless, the board met. Similarly, the team agreed. Everyone is permitted to copy it for review. "
    "The owner agreed, and we subsequently filed the report. For the purposes of this policy, a "
    "deputy who can sign is named. Under this policy, you must keep the notice free of charge. Nothing changes "
    "in the absence of a request. The copy includes all data, including but not limited to logs. Meanwhile, "
    "the staff who travel must report. You need not reply."
)
LAST = (
    "Nonetheless, the board met. Likewise, the team agreed. Everybody is allowed to copy it for review. The owner "
    "agreed, and we later filed the report. For the purpose of this policy, a deputy that can sign is named. Under "
    "this policy, you must keep the notice at no charge. Nothing changes without a request. The copy includes all "
    "data, including without limitation logs. In the meantime, the staff that travel must report. You needn't reply."
)


def _kinds(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(slot.kind, slot.forms) for slot in _plan(text, 3).slots]


def test_every_scheme_3_class_writes_both_ways() -> None:
    shape = layout(EXAMPLES, scheme=3)
    assert shape.robust >= layout(EXAMPLES, scheme=2).robust + 12
    last = embed(EXAMPLES, np.array(shape.alphabet) - 1, scheme=3).translate(STRIP_MARKS)
    first = embed(EXAMPLES, [0] * len(shape.alphabet), scheme=3).translate(STRIP_MARKS)
    assert last == LAST
    assert first.startswith("Nevertheless the board met. Similarly the team agreed. Everyone is permitted")
    assert "agreed and we" in first and "Under this policy you must" in first
    assert "For the purposes of this policy, a deputy" in first  # a noun subject keeps the comma
    assert normalize(last, scheme=3) == normalize(first, scheme=3) == normalize(EXAMPLES, scheme=3)


@pytest.mark.parametrize(
    ("sentence", "forms"),
    [
        ("Each manager who signs is named.", ("who", "that")),
        ("Staff who travel must report.", ("who", "that")),
        ("Visitors who arrive late wait.", ("who", "that")),
        ("It is permitted by law.", ("permitted", "allowed")),
        ("A copyright holder who authorizes use is named.", ("who", "that")),
        ("It ends the licenses of parties who have received copies.", ("who", "that")),
        ("The file was subsequently lost.", ("subsequently", "later")),
        ("Likewise, the team agreed.", ("similarly", "likewise")),
        ("Generally, the team agrees.", ("in general", "generally")),
        ("The work need not make them do so.", ("need not", "needn't")),
        ("You need not comply.", ("need not", "needn't")),
        ("You need not bring a copy.", ("need not", "needn't")),  # a bare verb ending in "-ing"
    ],
)
def test_a_word_class_is_a_slot_here(sentence: str, forms: tuple[str, ...]) -> None:
    assert ("word", forms) in _kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Those who sign are named.",  # "those that" reads as things
        "Anyone who signs is named.",  # kept as scheme 2 has it: "anyone that" reads oddly
        "The owner decides who may read it.",  # an interrogative "who"
        "The manager, who signs, is named.",  # non-restrictive
        "A deputy who is absent is replaced.",  # "that is" would read as "i.e."
        "The use is allowed for in the plan.",  # "allowed" is never rewritten ("allowed for")
        "He will only sign it later.",  # "only" and "later" are never rewritten
        "So far as we know, it works.",  # "so far" is never "to date" ("So far, so good")
        "The team, similarly, agreed.",  # a connective only at the start of a sentence
        "There is no need not to worry.",  # "need" is a noun here
    ],
)
def test_a_word_class_is_no_slot_here(sentence: str) -> None:
    kinds = _kinds(sentence)
    new = {forms for _, forms in kinds} & {
        ("who", "that"),
        *(group.forms for group in (*phrases3.SYNONYMS, phrases3.NEED_NOT, *phrases3.CONNECTIVES)),
    }
    assert not new, kinds


@pytest.mark.parametrize(
    "sentence",
    [
        "Under this License, you may copy it.",
        "Notwithstanding any other provision of this License, you have permission.",
        "During the review, we may read the logs.",
    ],
)
def test_an_optional_comma_before_a_clause_is_a_slot(sentence: str) -> None:
    assert layout(sentence, scheme=3).robust == layout(sentence, scheme=2).robust + 1
    shape = layout(sentence, scheme=3)
    dropped = embed(sentence, [0] * len(shape.alphabet), scheme=3).translate(STRIP_MARKS)
    assert dropped.count(",") == sentence.count(",") - 1


@pytest.mark.parametrize(
    "sentence",
    [
        "To do so, attach the notice.",  # an imperative: "do so attach" misreads
        "In the US, the EU, and the UK the rule holds.",  # a list, not an introduction
        "Under this License, copying is allowed.",  # no clause subject follows
        "With the files, the keys.",  # no verb: no clause follows
        "The owner, who signs, agreed, and the report was filed.",  # other commas in the sentence
        "You may copy the file, and the notice.",  # "and the notice" opens no clause
        "No holder will pay, or any other party who may copy it.",  # the verb is a relative clause's
        "In the meeting the board may agree.",  # no comma in the original: one-way
        "During the review, the auditors may read the logs.",  # a noun subject could continue the phrase
        "The owner agreed, and the report was filed.",  # scheme 3 adds no comma before a noun subject
    ],
)
def test_a_comma_that_must_stay_or_never_was_is_no_slot(sentence: str) -> None:
    commas = [slot for slot in _plan(sentence, 3).slots if slot.kind == "comma"]
    before = [slot for slot in _plan(sentence, 2).slots if slot.kind == "comma"]
    assert len(commas) == len(before), commas


def test_an_introduction_keeps_its_comma_before_a_word_it_could_join() -> None:
    sentence = "In short, staff who travel must report."  # without its comma "In short staff" misreads
    assert [slot.kind for slot in _plan(sentence, 2).slots].count("comma") == 1  # scheme 2 drops it
    assert [slot.kind for slot in _plan(sentence, 3).slots].count("comma") == 0
    assert [slot.kind for slot in _plan("In short, we agree.", 3).slots].count("comma") == 1


@pytest.mark.parametrize("name", sorted(DENSITY_FLOOR))
def test_scheme_3_is_denser_than_scheme_2_on_real_licences(name: str) -> None:
    text = licence(name)
    words = len(text.split())
    dense, before = layout(text, scheme=3).robust, layout(text, scheme=2).robust
    assert dense / words >= DENSITY_FLOOR[name]
    assert dense > before


def test_scheme_3_positions_survive_a_spell_check_and_retyping() -> None:
    shape = layout(EXAMPLES, scheme=3)
    for seed in (1, 2, 3):
        symbols = codeword(shape, seed)
        copy = embed(EXAMPLES, symbols, scheme=3)
        checked = extract(EXAMPLES, spell_check(copy), scheme=3)[: shape.robust]
        assert np.array_equal(checked, symbols[: shape.robust])
        retyped = extract(EXAMPLES, retype(copy, seed=seed), scheme=3)[: shape.robust]
        readable = retyped >= 0  # a slot on a mistyped word is erased, never misread
        assert np.array_equal(retyped[readable], symbols[: shape.robust][readable])
        assert readable.mean() > 0.9


def test_a_retyped_gpl3_under_scheme_3_names_its_single_recipient_among_30() -> None:
    gpl = licence("GPL-3")
    code = FingerprintCode((9).to_bytes(32, "big"), layout(gpl, scheme=3).alphabet)
    read = extract(gpl, retype(embed(gpl, code.codeword("r05"), scheme=3), seed=3), scheme=3)
    recipients = [f"r{i:02d}" for i in range(30)]
    assert [r for r, _ in accuse(code, read, recipients, eps=1e-5).accused] == ["r05"]
    original = extract(gpl, retype(gpl, seed=3), scheme=3)  # the unmarked original accuses nobody
    assert accuse(code, original, recipients, eps=1e-5).accused == ()


@pytest.mark.parametrize("name", ["GPL-3", "Apache-2.0", "MPL-2.0"])
def test_real_texts_round_trip_under_scheme_3(name: str) -> None:
    assert_round_trips(licence(name), 4, scheme=3)


@settings(max_examples=60, deadline=None)
@given(text=documents((EXAMPLES,)), seed=st.integers(0, 2**32 - 1))
def test_any_scheme_3_codeword_round_trips_and_normalizes_away(text: str, seed: int) -> None:
    assert_round_trips(text, seed, scheme=3)


FRAGMENTS = (
    *"abcIT (),.;:'\"-\u2014\n%09",
    *(" who ", "Staff ", " a deputy ", " those ", " is ", " can ", " permitted ", " solely ", " a ", " an "),
    *("Under this License", ", you may", ", and the report was ", ", and the ", " may ", "Similarly, "),
    *("Nevertheless", "For the purposes of", " including but not limited to ", " free of charge", "To date, "),
    *(" subsequently ", " explicitly ", " in the absence of ", "In short, ", " do not ", " which ", " that "),
    *(" section 3", " Section 4.2 ", "sections\n 5", ":\n\n    a) ", "\n\n(b) ", "; or\n\n    c) ", "\n    d) "),
    *("    ", "\n", " need not ", " no need not to "),
    *(" parties who ", " tell the manager who ", " being ", " bring ", " only ", "\n\nii) ", " Each reviewer "),
    *("\n    for room in rooms:\n        ", "paint(room, colour)", " decides which apply ", " this shows which "),
)


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=40), seed=st.integers(0, 1000))
def test_any_text_round_trips_under_scheme_3_even_with_odd_punctuation(parts: list[str], seed: int) -> None:
    text = "".join(parts)
    symbols = codeword(layout(text, scheme=3), seed)
    copy = embed(text, symbols, scheme=3)
    assert np.array_equal(extract(text, copy, scheme=3), symbols)
    assert normalize(copy, scheme=3) == normalize(text, scheme=3)


LIST = (
    "You may convey it, provided that you meet these conditions:\n\n"
    "    a) The work must carry notices stating that it is released under section\n"
    '    7.  This requirement modifies the one in section 4 ("keep intact all notices") in full.\n\n'
    "    b) You must license the entire work; or\n\n"
    "    c) You must keep the notice, as Section 8 says.\n"
)


def test_section_case_and_list_markers_are_one_position_each_and_never_mixed() -> None:
    plan = _plan(LIST, 3)
    groups = {slot.group: [s for s in plan.slots if s.group == slot.group] for slot in plan.slots if slot.group}
    assert len(groups["case"]) == 3 and len(groups["marker"]) == 3
    shape = layout(LIST, scheme=3)
    assert shape.robust == len(plan.positions)
    marker = next(k for k, slots in enumerate(plan.positions) if plan.slots[slots[0]].group == "marker")
    case = next(k for k, slots in enumerate(plan.positions) if plan.slots[slots[0]].group == "case")
    for symbol in (0, 1):
        symbols = codeword(shape, 3)
        symbols[marker] = symbols[case] = symbol
        copy = embed(LIST, symbols, scheme=3).translate(STRIP_MARKS)
        assert copy.count("(a)") + copy.count("(b)") + copy.count("(c)") == 3 * symbol
        assert len(re.findall(r"Section\s", copy)) == 3 * symbol
        assert len(re.findall(r"section\s", copy)) == 3 * (1 - symbol)
        read = extract(LIST, retype(copy), scheme=3)
        assert read[marker] == read[case] == symbol


@pytest.mark.parametrize(
    "text",
    [
        "Section 3 applies here.",  # a sentence's first word keeps its capital
        "See sections\n\n4 and 5.",  # no number on the same run of text
        "The Section is long.",  # no number: a heading word
    ],
)
def test_a_label_without_a_number_or_at_a_sentence_start_has_no_case_position(text: str) -> None:
    assert not [slot for slot in _plan(text, 3).slots if slot.kind == "case"]


def test_list_markers_change_only_when_every_list_letter_can() -> None:
    inline = "It ends:\n\n(a) when you stop; or\n\n(b) when we stop.\n\nAnd so\n(c) a letter opens a wrapped line.\n"
    assert not [slot for slot in _plan(inline, 3).slots if slot.kind == "marker"]
    first = "a) The first item; or\n\nb) the second item.\n"  # the first letter has no gap of its own to change
    assert not [slot for slot in _plan(first, 3).slots if slot.kind == "marker"]
    assert len([slot for slot in _plan(inline.split("\n\nAnd so")[0], 3).slots if slot.kind == "marker"]) == 2


def test_an_indented_paragraph_with_a_semicolon_or_a_closing_quote_is_prose_under_scheme_3() -> None:
    text = '    You must keep it; or you do not convey the work at all, nor\n    "keep intact all notices".\n'
    assert layout(text, scheme=2).robust == layout(text, scheme=2).fragile == 0  # scheme 2 reads it as code
    assert layout(text, scheme=3).robust >= 1 and layout(text, scheme=3).fragile > 10
    code = "    for (i = 0; i < n; i++) { do_not(i); }\n    x;y\n"
    assert layout(code, scheme=3).robust == layout(code, scheme=3).fragile == 0


@pytest.mark.parametrize(
    "text",
    [
        " section 3%\n    d)  permitted In short, ",  # "3%" and "3 per cent" both read as prose
        "To date, a\n    d)  do not ",  # a dropped optional comma leaves the paragraph prose
        "In short,  Section 4.2 ",  # "Section" may become "section": no capital decides the comma
        "    It rose by 10%. We agree -- e.g. Dr. Reid in order to see it\n    a b c d e f x_y z=w.\n",
    ],
)
def test_every_copy_normalizes_like_its_original_where_prose_detection_was_borderline(text: str) -> None:
    for seed in range(12):
        assert_round_trips(text, seed, scheme=3)


@pytest.mark.parametrize(
    ("sentence", "slot"),
    [
        ("The terms that apply here stay.", True),  # a lexical verb that is never a noun
        ("Any interfaces which do not display it stay.", True),  # a contraction's first word
        ("The work which is not free stays.", False),  # "that is not" would read as "i.e." + "not"
        ("The patents in each country that you have seen stay.", False),  # "that you" may be a conjunction
        ("The terms that supplement it stay.", False),  # "supplement" is also a noun
        ("A statement of the additional terms that apply stays.", True),  # an adjective between
        ("Each reviewer decides which apply to them.", False),  # a verb before: a question
        ("Those notices that do not pertain to it stay.", True),  # a plural noun after "those"
        ("Those know which apply to them.", False),  # "those" is the subject
    ],
)
def test_restrictive_which_that_before_more_verbs(sentence: str, slot: bool) -> None:
    forms = [s.forms for s in _plan(sentence, 3).slots]
    assert (("which", "that") in forms) is slot
    assert ("which", "that") not in [s.forms for s in _plan(sentence, 2).slots]


def _copies(text: str) -> set[str]:
    """Every scheme-3 copy of ``text`` (every combination of robust symbols), its invisible marks stripped."""
    shape = layout(text, scheme=3)
    robust = shape.alphabet[: shape.robust]
    assert int(np.prod(robust)) <= 4096
    fragile = [0] * (len(shape.alphabet) - shape.robust)
    combos = itertools.product(*(range(q) for q in robust))
    return {embed(text, [*combo, *fragile], scheme=3).translate(STRIP_MARKS) for combo in combos}


REVIEWED = [
    # who -> that after a verb, a thing, or before "to": a question or another noun's clause
    ("The policy governs who may read the file.", "governs who may"),
    ("The audit reveals who copied the report.", "reveals who copied"),
    ("The question who pays for the audit is still open.", "question who pays"),
    ("The decision who to hire rests with the board.", "decision who to"),
    ("This License binds each party to that transaction who receives a copy.", "transaction who receives"),
    ("Please tell the manager who called yesterday.", "manager who called"),
    # which -> that after a verb ("decides" ends in -s and follows "Each reviewer")
    ("Each reviewer decides which apply to them.", "decides which apply"),
    ("This shows which apply to you.", "shows which apply"),  # a determiner standing alone as the subject
    ("The manual lists which apply to you.", "lists which apply"),  # "manual" is no adjective here
    # indented code read as prose
    (
        "Pick the colour first:\n\n    colour = pick()\n\nThen paint every room with it:\n\n"
        "    for room in rooms:\n        paint(room, colour)\n",
        "    colour = pick()\n\nThen paint every room with it:\n\n    for room in rooms:\n        paint(room, colour)",
    ),
    ("Paint it:\n\n    Paint the walls with paint(room, colour) first.\n", "paint(room, colour)"),
    ("Paint it:\n\n    for room in rooms:\n        repaint the room in a colour you like.\n", "a colour you"),
    # word swaps that change meaning
    ("You are solely responsible for determining the appropriateness.", "solely responsible"),
    ("You are not solely responsible for the damage.", "not solely responsible"),
    ("Keep the backups apart from the originals.", "apart from"),
    ("The permitting process for the site takes six months.", "The permitting process"),
    ("The solution can be written explicitly in terms of the inputs.", "written explicitly"),
    ("There is a growing need not only for encryption but for audits.", "need not only"),
    ("There is a clear need not met by current tools.", "clear need not met"),
    ("Our biggest need not being met is time.", "need not being"),  # found after the review: "-ing"
    ("Our need not for money but for time stays.", "need not for"),
    ("The free of charge service stays.", "The free of charge"),  # no phrase changes after a determiner
    ("The two servers exhibit 3 distinct failure modes.", "servers exhibit 3"),
    ("We figure 20 staff will need access.", "We figure 20"),
    ("We paragraph 2 ideas per page.", "We paragraph 2"),
    # a roman list: "i)" would change alone
    ("The steps are:\n\ni) open the file;\n\nii) read it;\n\niii) close it.\n", "\n\ni) open the file"),
    # commas whose loss misreads, and "both of the"
    ("With the owner, the auditors must check each file.", "owner, the auditors"),
    ("We will pay the vendor, or the client will cancel the order.", "vendor, or the client"),
    ("After the owner left, the staff may leave.", "left, the staff"),
    ("Both the owner and the recipients must sign.", "Both the owner"),
    # the second review (issue 16): file names, options, quotes, commands, ranges and name lists (protected), then
    # every sentence it found changing meaning, in its order
    ("Run organise.py on the server and open centre.png afterwards.", "organise.py"),
    ("Run organise.py on the server and open centre.png afterwards.", "centre.png"),
    ("Visit colour.example.com for the details.", "colour.example.com"),
    ("Import behaviour.utils before the tests run.", "behaviour.utils"),
    ("Call colour.set() before painting the room.", "colour.set()"),
    ("Save the list to favourite-colours.txt before leaving.", "favourite-colours.txt"),
    ("Edit the file colour.conf on every server.", "colour.conf"),
    ("Pass --colour to enable it and --no-colour to disable it.", "--colour to enable it and --no-colour"),
    ("Pass -colour to enable it.", "-colour"),
    ("The services provided that are not covered by the warranty will be invoiced separately.", "provided that are"),
    ("The data provided that was incorrect has been deleted.", "provided that was"),
    ("Use the old server (the new one has no backups) for the migration.", "(the new one has no backups)"),
    ("Send the report to the manager (she reviews every request) before noon.", "(she reviews every request)"),
    ("The shares are sold free of charge, lien or encumbrance.", "free of charge, lien"),
    ("The capacitor must be completely free of charge before the technician opens the case.", "free of charge before"),
    ("We offer free of charge delivery to all members.", "free of charge delivery"),
    ("Our completely free of charge service is available to all members.", "free of charge service"),
    ("Except that, we agree with the proposal.", "Except that, we"),
    ("In that, you are correct: the file is lost.", "In that, you"),
    ("Tell the customer which applies.", "customer which applies"),
    ("We asked the vendors which could deliver by March.", "vendors which could"),
    ("We told the customer that would be acceptable.", "customer that would"),
    ("We informed the vendor that will not be possible.", "the vendor that"),
    ("We published the article 2 weeks ago.", "article 2 weeks"),
    ("We replaced a section 40 metres long.", "section 40 metres"),
    ("Print each section 2 times.", "section 2 times"),
    ("Then split the chapter 3 ways.", "chapter 3 ways"),
    ("The appendix 8 cm long was removed.", "appendix 8 cm"),
    ("So far, so good.", "So far"),
    ("Support goes to families in need not already covered by the scheme.", "need not already"),
    ("We need not money but time.", "need not money"),
    ("A will not witnessed by two people is invalid.", "will not witnessed"),
    ("If you have registered users, notify them.", "you have registered"),
    ("They have trained staff.", "have trained"),
    ("Do you have signed copies?", "you have signed"),
    ("Part I will describe the method.", "I will describe"),
    ("Phase I will start next month.", "I will start"),
    ("All of you are invited.", "you are invited"),
    ("Whoever wrote it is responsible.", "it is responsible"),
    ("Those of you will need a badge.", "you will need"),
    ("No one size fits every team.", "No one size"),
    ("Each party shall notify each other party.", "each other party"),
    ("All the same, we proceeded.", "All the same"),
    ("This is all the more important now.", "all the more"),
    ("It is not at all the same.", "at all the same"),
    ("The file is twice as long as the block size.", "as long as"),
    ("Take the derivative with respect to time.", "with respect to"),
    ("Treat users with respect to build trust.", "with respect to build"),
    ("We visited assisted living facilities.", "assisted living"),
    ("The license requires that you include a copy.", "requires that you"),
    ("You represent that you are authorized to sign.", "represent that you"),
    ("Open Monday - Friday every week.", "Monday - Friday"),
    ("Then run git checkout -- file to restore it.", "checkout -- file"),
    ("perl             - Larry Wall's language for the job.", "perl             - Larry"),
    ("Install the python 3 bindings first.", "python 3 bindings"),
    ("Cut the 2 x 4 boards first.", "2 x 4 boards"),
    ('Set the theme option to "grey" for all users.', '"grey"'),
    ('The JSON key "colour" is required.', '"colour"'),
    ('The sentinel string is "do not organise" in the file.', '"do not organise"'),
    ('The RFC says "implementations MUST NOT reuse a nonce" in the text.', "MUST NOT reuse"),
    ('The court held that "section 3 applies" in the case.', '"section 3 applies"'),
    ("She asked for the purposes of the fund to be explained.", "purposes of"),
    ("The subsequently amended rule applies.", "subsequently amended"),
    ("Similarly, to the first case, we add a note.", "Similarly, to"),
    ("Please find out from the manager who signed.", "manager who signed"),
    ("What: libdpkg-perl (perl modules)\n", "(perl modules)"),
    ("We went out whenever the weather permitted it.", "weather permitted"),
    # found probing the narrowed classes: a tag question, "with respect" as esteem
    ("You have made copies, haven't you?", "haven't you?"),
    ("They treated the staff with respect to the end.", "with respect to the end"),
    ("He went along with the plan.", "went along with"),
    ("It is not at all its fault.", "at all its fault"),
    ("In addition, to the fees we add tax.", "In addition, to"),
    # a list letter referred to in prose keeps its style, so the list's letters keep theirs
    ("Do this:\n\na) open the file;\n\nb) read it.\n\nIn step b) we read the file.\n", "\n\na) open"),
    # found checking the reviewer's samples again: single quotes, a connective before an adjective
    ("The string 'do not organise' is used as a sentinel.", "'do not organise'"),
    ("In short, term contracts are cheaper.", "In short, term"),
    ("Similarly, named files are skipped.", "Similarly, named"),
    ("Generally, accepted principles apply.", "Generally, accepted"),
    ("In short, sharp bursts the signal is lost.", "In short, sharp"),
    ("He wrote 'we don't organise it' on the form.", "'we don't organise it'"),
]


@pytest.mark.parametrize(("text", "kept"), REVIEWED)
def test_a_reviewed_meaning_changing_slot_stays_as_written_in_every_copy(text: str, kept: str) -> None:
    copies = _copies(text)
    assert all(kept in copy for copy in copies), [copy for copy in copies if kept not in copy]


def test_an_indented_list_after_a_prose_colon_stays_prose() -> None:
    text = (
        "A separate tool will be provided which will:\n"
        "  * Put all packages with pending triggers into state\n"
        "    config-failed and remove the colour of the list.\n"
    )
    assert ("part", ("colour", "color")) in _kinds(text)  # only a block keyword's colon opens code


def test_every_copy_of_an_introduction_with_that_normalizes_like_its_original() -> None:
    # a normal form writes every "that" as "which": "In which case" must still read as the introduction it was
    text = "In that case, where a package has more than one trigger and wants them apart, the list can be read.\n"
    copies = _copies(text)
    assert any("In that case where" in copy for copy in copies)  # a copy drops the comma
    assert {normalize(copy, scheme=3) for copy in copies} == {normalize(text, scheme=3)}
