"""Plausible administrative/technical prose for carrier tests: a seeded generator of ~N-word documents.

The sentences are written the way a records-management or security procedure is written (British spelling, lists,
the odd "e.g.", dates, identifiers, a code block and a table), not stuffed with variant words: most sentences
carry no robust slot at all.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

TEAMS = ("the records team", "the security office", "the facilities group", "the audit unit", "the service desk",
         "the project board", "the data protection officer", "each line manager", "the duty engineer")  # fmt: skip
SYSTEMS = ("the document vault", "the mail gateway", "the backup service", "the build server", "the HR portal",
           "the print queue", "the file share", "the badge readers", "the VPN concentrator")  # fmt: skip
THINGS = ("laptops", "removable drives", "paper files", "access requests", "printed reports", "visitor passes",
          "audit logs", "shared folders", "service accounts", "exception requests")  # fmt: skip
NAMES = ("Alice Morgan", "Rahul Mehta", "Grace Okafor", "Tomasz Nowak", "Helen Price", "Samuel Reid")
SITES = ("Bristol", "the Leeds office", "the Northern Data Centre", "Building 4", "the Harwell site")
NUMBERS = ("two", "three", "four", "five", "six", "seven", "2", "3", "4", "5", "6", "12", "15", "20", "30")
MONTHS = ("January", "March", "April", "June", "September", "November")

SENTENCES = (
    "{Team} is responsible for the day-to-day operation of {system}.",
    "All {things} must be recorded in the asset register before they are issued.",
    "Requests are reviewed within {n} working days of receipt.",
    "The review found that {pct}% of {things} had no named owner.",
    "Access is granted on a need-to-know basis and is reviewed every {n} months.",
    "Staff must not forward classified material to personal accounts, even temporarily.",
    "Where a request cannot be met, {team} records the reason and informs the requester.",
    "The procedure applies to all staff, contractors and visitors who handle protected information.",
    "Incidents are logged in the service management tool under category SEC-{id}.",
    "{Name} will act as the point of contact until the end of {month}.",
    "The organisation expects managers to lead by example.",
    "Each department should nominate a deputy who can authorise urgent changes.",
    "The colour of the lanyard indicates the holder's clearance level.",
    "Visitors must be escorted at all times while they are in a controlled area.",
    "Reports are kept for {n} years and then destroyed in line with the retention schedule.",
    "The audit unit will analyse the logs and report any anomalies to the board.",
    "Managers should prioritise the removal of access for leavers.",
    "A summary of the findings is given in section {id}.",
    "This policy was last revised on {day} {month} 2024 and replaces version {v}.",
    "The risk register lists {n} open risks, of which two are rated high.",
    "Printed copies must be collected from the printer immediately.",
    "Further guidance is available at https://intranet.example.org/policies/records.",
    "Questions about this procedure should be sent by e-mail to the service desk.",
    "In practice, most requests are approved on the same day.",
    "The board noted the report and agreed to revisit the matter in {month}.",
    "Staff working towards a qualification may request study leave.",
    "Temporary access expires automatically after {n} days unless it is renewed.",
    "The centre of the floor plan is reserved for the secure store.",
    "Any deviation from this procedure must be recorded, e.g. in the change log.",
    "Data is encrypted at rest and in transit, i.e. on disk and on the network.",
    "The backup service keeps daily, weekly, and monthly snapshots.",
    "Keys, badges and tokens are returned on the last working day.",
    "The team reviewed the firewall rules, the proxy settings and the mail filters.",
    "Laptops, phones, and tablets are enrolled in device management before use.",
    "Records that are no longer needed are destroyed securely \u2014 shredded or pulped \u2014 by an approved "
    "contractor.",
    "The scanner at {site} was replaced in {month}; the old unit was wiped before disposal.",
    "A review by {name} found no evidence of unauthorised access.",
    "We recognise that some teams will need more time to comply.",
    "The defence in depth model assumes that any single control may fail.",
    "Licences for the document management system are renewed each April.",
    "Behaviour that breaches this policy may lead to disciplinary action.",
    "Amongst other things, the review looked at how exceptions are approved.",
    "The results are summarised in the table below.",
    "Staff should use the secure print queue for any document marked OFFICIAL-SENSITIVE.",
    "The change was tested in the staging environment for {n} weeks.",
    "Around {pct}% of requests were approved without further questions.",
    "Access logs are retained for {n} months and are available to the audit unit.",
    "Each account has an owner, a purpose and an expiry date.",
    "The duty engineer checks the alerts twice a day, at 09:00 and at 16:00.",
    "A second review is carried out whenever a person changes role.",
    "Accounts that have not been used for {n} days are disabled.",
    "The helpdesk handled {big} tickets in the last quarter, up from {big2}.",
    "Only {n} people currently hold administrator rights on {system}.",
    "The centralised log store makes it easier to spot unusual behaviour.",
    "Exceptions are granted for a fixed period, normally {n} months.",
    "The board asked for a clearer definition of what counts as a serious incident.",
    "Training must be completed before access is granted and then repeated each year.",
    "The new process was designed to minimise the number of manual steps.",
    "Each request is checked against the data owner's approval, the user's clearance and the project list.",
    "The labelling scheme follows the government classification policy.",
    "Files that are moved to removable media are logged automatically.",
    "The retention period starts on the date the file is closed.",
    "The review was carried out by an external assessor in {month} 2023.",
    "Most teams now store their working papers on the file share rather than on local drives.",
    "The meeting agreed three actions, which are listed at the end of this note.",
    "While the new system is being rolled out, the old one remains available in read-only mode.",
    "The project is on track, although the migration of archived files has slipped by {n} weeks.",
    "Staff are reminded that passwords must never be shared, written down or reused.",
    "The figures for {site} are shown separately because the site joined in {month}.",
    "A small number of requests were rejected because the requester had left the project.",
    "The standardised form reduces the time needed to process a request.",
    "The security office will organise refresher sessions for all managers.",
    "Requests from outside the organisation are passed to the information governance team.",
    "If in doubt, staff should ask their line manager before sharing a document.",
    "The escalation path runs from the service desk to the duty engineer and then to the security office.",
    "Some of the older records are held on paper at {site}.",
    "It is the responsibility of each manager to make sure that their team follows this procedure.",
    "The dashboard shows the number of open requests, the oldest request and the average time to close.",
    "Two-factor authentication is required for all remote access.",
    "The vault records every read, every checkout and every failed attempt.",
    "The programme of spot checks will continue throughout the year.",
    "This note should be read together with the acceptable use policy and the records retention schedule.",
    "A copy of each signed agreement is kept by the legal team.",
    "An analysis of the first {n} months shows a steady fall in the number of incidents.",
    "Access was withdrawn within {n} hours in every case.",
    "The project board meets monthly and reports to the executive committee.",
    "No changes were made to the firewall during the freeze period.",
    "Dr. {Surname} chairs the review panel.",
    "Teams should be realistic about the time they need to clean up their shared folders.",
    "The results of the survey were broadly positive, with {pct}% of staff rating the process as good.",
    "Staff who travel abroad must take a clean laptop \u2014 not their usual device.",
    "The security office has catalogued the most common mistakes and how to avoid them.",
    "The audit identified {n} findings, none of which was rated critical.",
    "Once the archive has been migrated, the old servers will be decommissioned.",
    "Every document carries a label that states its level and any compartments.",
)  # fmt: skip

PLAIN = (
    "The purpose of this document is to set out how protected information is handled.",
    "It applies from the date of publication.",
    "Managers are expected to make sure that their teams are aware of it.",
    "A request is complete when the requester has received a decision.",
    "The data owner decides who may read a document and for how long.",
    "If the owner is not available, the request waits until they return.",
    "Nobody may approve their own request.",
    "The decision is recorded in the vault together with the name of the approver.",
    "Requests that are not decided within the agreed time are escalated.",
    "The service desk does not make access decisions.",
    "A person who leaves the project loses access on the same day.",
    "The same rule applies to contractors and agency staff.",
    "Most of the work in this area is routine.",
    "Problems usually arise when a request is urgent and the owner cannot be reached.",
    "The board has asked for a simpler way to handle urgent requests.",
    "A draft of the new process will be circulated for comment.",
    "Comments should be sent to the project board by the end of the month.",
    "There is no charge for internal requests.",
    "The vault keeps a full history of every document.",
    "Older versions can be restored by the records team on request.",
    "A document can only be deleted by its owner.",
    "Deleted documents are kept in a holding area for a short period.",
    "After that they are removed permanently.",
    "The holding area is not visible to ordinary users.",
    "This section describes what happens when something goes wrong.",
    "An incident is any event that puts protected information at risk.",
    "Lost laptops and misdirected mail are the most common incidents.",
    "All incidents must be reported as soon as they are discovered.",
    "Reporting an incident quickly is more important than reporting it in full.",
    "The duty engineer will decide whether the incident needs to be escalated.",
    "Serious incidents are reported to the executive committee.",
    "Lessons learned are shared with all teams after the incident is closed.",
    "No one will be blamed for reporting a mistake in good faith.",
    "The vault can show who has read a document and when.",
    "This information is used to investigate incidents and to check that the rules are followed.",
    "It is not used to measure the performance of individual staff.",
    "Access to the logs themselves is restricted to the audit unit.",
    "The audit unit reports to the board every quarter.",
    "Its report covers the number of requests, the time taken to decide them and any incidents.",
    "The report is published on the intranet.",
    "Staff can see the documents they have been given access to on their home page.",
    "They can also see when that access will end.",
    "If access is still needed, the person should ask for it to be extended before it ends.",
    "Printed documents must be stored in a locked cabinet when they are not in use.",
    "They must not be left on desks overnight.",
    "Documents that are no longer needed should be placed in the confidential waste bins.",
    "The bins are emptied every week by the facilities group.",
    "Removable drives must be encrypted.",
    "Unencrypted drives will be blocked by the device management software.",
    "The security office can issue an encrypted drive on request.",
    "Drives must be returned when the work is finished.",
    "Photographs of protected documents are not allowed.",
    "Phones may be used in the office but not in the secure store.",
    "Visitors must sign in at reception and wear a visitor pass.",
    "The pass must be returned when the visitor leaves.",
    "Lost passes must be reported to reception straight away.",
    "The doors to the secure store are alarmed outside working hours.",
    "The alarm is monitored by the facilities group.",
    "This procedure will be reviewed at least once a year.",
    "The next review is due in the spring.",
    "Suggestions for improvement are welcome at any time.",
    "The owner of this procedure is the head of security.",
    "Earlier versions are kept in the vault for reference.",
    "The main change in this version is the new approval step.",
    "The wording of the section on removable media has also been simplified.",
    "Nothing in this procedure overrides the law.",
    "Where the two conflict, the law takes precedence.",
    "Staff who are unsure about the law should ask the legal team.",
    "The legal team can also advise on requests from outside bodies.",
    "Such requests are rare but need careful handling.",
    "The team keeps a register of them.",
    "A short guide for new starters is available from the service desk.",
    "It explains the main points of this procedure in plain language.",
    "New starters are asked to read it during their first week.",
    "Their manager then confirms that they have done so.",
    "The confirmation is recorded in the training system.",
    "Reminders are sent automatically if the confirmation is late.",
    "The same system records the annual refresher.",
    "Completion rates are reported to the board.",
    "The board has set a target for completion.",
    "Teams below the target are contacted by the security office.",
    "In most cases the problem is simply that people have forgotten.",
    "A reminder from the manager is usually enough.",
)

HEADINGS = ("Purpose", "Scope", "Roles and responsibilities", "Access to records", "Handling printed material",
            "Removable media", "Monitoring and audit", "Exceptions", "Review of this procedure", "Findings",
            "Recommendations", "Background", "Incident handling", "Leavers and movers", "Training")  # fmt: skip

CODE = """```
$ vault checkout DOC-{id} --for jsmith --out colour-report.pdf
$ grep -c "organise" /var/log/vault/2024-03-03.log
```"""

TABLE = """| Site | Requests | Approved |
|------|----------|----------|
| Bristol | 1,204 | 96% |
| Leeds | 877 | 94% |"""

BULLETS = ("- Check that the requester holds the right clearance.", "- Record the decision and the reason for it.",
           "- Tell the requester within {n} working days.", "- Keep the organisation's copy in the vault.",
           "- Review the access after three months.")  # fmt: skip


def document(words: int = 10_000, seed: int = 0) -> str:
    """A document of about ``words`` words: numbered sections of paragraphs, a few lists, a code block, a table."""
    rng = random.Random(seed)
    blocks: list[str] = []
    count, section = 0, 0
    while count < words:
        if not blocks or rng.random() < 0.15:
            section += 1
            blocks.append(f"{section}. {rng.choice(HEADINGS)}")
        roll = rng.random()
        if roll < 0.05:
            block = "\n".join(_fill(b, rng) for b in rng.sample(BULLETS, 3))
        elif roll < 0.06:
            block = _fill(CODE, rng)
        elif roll < 0.07:
            block = TABLE
        else:
            block = " ".join(_fill(rng.choice(SENTENCES + PLAIN), rng) for _ in range(rng.randint(3, 6)))
        blocks.append(block)
        count += len(block.split())
    return "\n\n".join(blocks) + "\n"


def _fill(template: str, rng: random.Random) -> str:
    team = rng.choice(TEAMS)
    return template.format(
        Team=team[:1].upper() + team[1:],
        team=team,
        system=rng.choice(SYSTEMS),
        things=rng.choice(THINGS),
        n=rng.choice(NUMBERS),
        pct=rng.choice(("5", "12", "40", "75", "87.5", "90")),
        id=rng.randint(100, 999),
        name=rng.choice(NAMES),
        Name=rng.choice(NAMES),
        Surname=rng.choice(NAMES).split()[1],
        month=rng.choice(MONTHS),
        day=rng.randint(1, 28),
        v=rng.randint(2, 9),
        site=rng.choice(SITES),
        big=rng.randint(1000, 4000),
        big2=f"{rng.randint(1, 3)},{rng.randint(100, 999)}",
    )


UNRELATED = """The river rises in the hills to the west of the town and reaches the sea after some forty miles. In the
eighteenth century its lower reaches were lined with mills, and the remains of several weirs can still be seen from
the towpath. The path is popular with walkers in summer, although parts of it flood after heavy rain.

The parish church, which dates from the twelfth century, was rebuilt in the Victorian period. Its tower is the
oldest surviving part and contains a ring of eight bells. Visitors often remark on the colour of the stone, a warm
grey that turns almost golden in the evening light.

Local farmers grow barley, oilseed rape and, increasingly, grapes. A vineyard planted on the south-facing slopes in
the nineteen-nineties now produces a sparkling wine that has won several awards. The harvest usually begins in the
last week of September and lasts about three weeks.
"""


@st.composite
def documents(draw: st.DrawFn, extra: tuple[str, ...] = ()) -> str:
    """Up to 12 of the sentences above (and ``extra``) filled at random, joined by spaces or paragraph breaks."""
    picks = draw(st.lists(st.sampled_from(SENTENCES + PLAIN + extra), min_size=1, max_size=12))
    rng = random.Random(draw(st.integers(0, 1000)))
    sentences = [_fill(s, rng) for s in picks]
    breaks = draw(st.lists(st.booleans(), min_size=len(sentences), max_size=len(sentences)))
    return "".join(s + ("\n\n" if b else " ") for s, b in zip(sentences, breaks, strict=True)).strip() + "\n"
