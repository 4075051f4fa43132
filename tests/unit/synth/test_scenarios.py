"""Answers are verbatim and each scenario shows its signature behaviour; confounders exist."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime

from synth_support import Dataset

from molehunt.synth.schema import header

SOURCES = ("logon", "device", "file", "email", "http")
WEBMAIL = ("gmail.com", "yahoo.com", "hotmail.com", "aol.com", "comcast.net", "msn.com", "verizon.net",
           "juno.com", "earthlink.net", "cox.net")  # fmt: skip
JOB_SITES = ("monster.com", "indeed.com", "careerbuilder.com", "linkedin.com", "simplyhired.com",
             "glassdoor.com", "dice.com", "hotjobs.yahoo.com")  # fmt: skip


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


def _rows(ds: Dataset, source: str) -> list[dict[str, str]]:
    cols = header(source, ds.cfg.release)
    return [dict(zip(cols, line.split(","), strict=True)) for line in ds.lines(f"{source}.csv")[1:]]


def _answers(ds: Dataset) -> dict[int, tuple[str, list[tuple[str, dict[str, str]]]]]:
    """scenario -> (user, [(source, row)]) for the first insider of each scenario."""
    out: dict[int, tuple[str, list[tuple[str, dict[str, str]]]]] = {}
    for ins in ds.rows("answers/insiders.csv"):
        sc = int(ins["scenario"])
        lines = ds.lines(f"answers/r{ins['dataset']}-{sc}/{ins['details']}")
        parsed = []
        for line in lines:
            source, rest = line.split(",", 1)
            parsed.append((source, dict(zip(header(source, ds.cfg.release), rest.split(","), strict=True))))
        out.setdefault(sc, (ins["user"], parsed))
    return out


def test_every_answer_line_is_verbatim_in_its_source(dataset: Dataset) -> None:
    files = {s: set(dataset.lines(f"{s}.csv")[1:]) for s in SOURCES}
    for ins in dataset.rows("answers/insiders.csv"):
        lines = dataset.lines(f"answers/r{ins['dataset']}-{ins['scenario']}/{ins['details']}")
        assert lines
        dates = []
        for line in lines:
            source, rest = line.split(",", 1)
            assert rest in files[source], line
            assert rest.split(",")[2] == ins["user"]
            dates.append(_when(rest.split(",")[1]))
        assert min(dates) == datetime.strptime(ins["start"], "%m/%d/%Y %H:%M:%S")
        assert max(dates) == datetime.strptime(ins["end"], "%m/%d/%Y %H:%M:%S")


def test_each_configured_scenario_is_present(dataset: Dataset) -> None:
    assert sorted(_answers(dataset)) == sorted(dataset.cfg.scenarios)
    assert [(i.user_id, i.scenario) for i in dataset.result.insiders] == [
        (r["user"], int(r["scenario"])) for r in dataset.rows("answers/insiders.csv")
    ]


def test_scenario_1_new_usb_after_hours_and_leak_upload(dataset: Dataset) -> None:
    user, events = _answers(dataset)[1]
    start = min(_when(r["date"]) for _, r in events)
    before = [r for r in _rows(dataset, "device") if r["user"] == user and _when(r["date"]) < start]
    assert before == []  # never used a thumb drive before
    logons = [r for r in _rows(dataset, "logon") if r["user"] == user and _when(r["date"]) < start]
    assert all(7 <= _when(r["date"]).hour < 19 for r in logons if r["activity"] == "Logon")
    assert any(s == "logon" and not 7 <= _when(r["date"]).hour < 19 for s, r in events)
    assert any(s == "device" for s, _ in events)
    assert any(s == "http" and "wikileaks.org" in r["url"] for s, r in events)


def test_scenario_2_job_hunt_then_copying_above_own_rate(dataset: Dataset) -> None:
    user, events = _answers(dataset)[2]
    assert any(s == "http" and any(j in r["url"] for j in JOB_SITES) for s, r in events)
    bad_ids = {r["id"] for s, r in events if s == "file"}
    per_day: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for r in _rows(dataset, "file"):
        if r["user"] == user and (r["id"] in bad_ids or r.get("to_removable_media", "True") == "True"):
            (per_day if r["id"] in bad_ids else own)[r["date"][:10]] += 1
    assert per_day
    assert statistics.mean(per_day.values()) > 3 * (statistics.median(own.values()) if own else 1)


def test_scenario_3_keylogger_on_supervisors_pc_and_mass_mail(dataset: Dataset) -> None:
    user, events = _answers(dataset)[3]
    ldap = next(iter(dataset.ldap().values()))
    by_id = {r["user_id"]: r for r in ldap}
    boss = next(r for r in ldap if r["employee_name"] == by_id[user]["supervisor"])
    pcs = Counter(r["pc"] for r in _rows(dataset, "logon") if r["user"] == boss["user_id"])
    boss_pc = pcs.most_common(1)[0][0]
    assert by_id[user]["role"] == "ITAdmin"
    assert any(s == "http" for s, _ in events)
    assert any(s == "device" and r["pc"] == boss_pc for s, r in events)
    mass = [r for s, r in events if s == "email"]
    assert len(mass) == 1 and mass[0]["from"] == boss["email"] and len(mass[0]["to"].split(";")) >= 10


def test_scenario_4_other_pc_and_mail_home(dataset: Dataset) -> None:
    user, events = _answers(dataset)[4]
    own_pc = Counter(r["pc"] for r in _rows(dataset, "logon") if r["user"] == user).most_common(1)[0][0]
    assert all(r["pc"] != own_pc for _, r in events)
    mails = [r for s, r in events if s == "email"]
    assert mails and all(r["to"].split("@")[1] in WEBMAIL for r in mails)


def test_scenario_5_cloud_uploads(dataset: Dataset) -> None:
    _, events = _answers(dataset)[5]
    uploads = [r for s, r in events if s == "http"]
    assert uploads and all(any(c in r["url"] for c in ("dropbox.com", "drive.google.com", "box.com")) for r in uploads)
    if dataset.cfg.release == "r6.2":
        assert all(r["activity"] == "WWW Upload" for r in uploads)


def test_scenario_6_bulk_copies_outside_projects_and_decoys(dataset: Dataset) -> None:
    user, events = _answers(dataset)[6]
    copies = [r for s, r in events if s == "file" and r.get("activity", "File Copy") == "File Copy"]
    bad_ids = {r["id"] for r in copies}
    theft_days = Counter(r["date"][:10] for r in copies)
    start = min(_when(r["date"]) for r in copies)
    earlier: Counter[str] = Counter()
    for r in _rows(dataset, "logon"):
        if r["user"] == user and _when(r["date"]) < start:
            earlier[r["date"][:10]] += 0
    for r in _rows(dataset, "file"):
        is_copy = r.get("to_removable_media", "True") == "True"
        if r["user"] == user and is_copy and r["id"] not in bad_ids and _when(r["date"]) < start:
            earlier[r["date"][:10]] += 1
    baseline = statistics.median(earlier.values()) if earlier else 0
    assert min(theft_days.values()) > 5 * (baseline + 1)
    if dataset.cfg.release == "r6.2":
        ldap = next(iter(dataset.ldap().values()))
        mine = {p for r in ldap if r["user_id"] == user for p in r["projects"].split(";")}
        opened = [r["filename"] for s, r in events if s == "file" and r["activity"] == "File Open"]
        outside = [f for f in opened if f.startswith("C:\\Projects\\") and f.split("\\")[2] not in mine]
        assert len(outside) > 0.3 * len(opened)
        decoys = {r["decoy_filename"] for r in dataset.rows("decoy_file.csv")}
        assert any(f in decoys for f in opened)


def test_scenario_7_slow_drip(dataset: Dataset) -> None:
    _, events = _answers(dataset)[7]
    mails = [r for s, r in events if s == "email"]
    assert len(mails) == len(events) and len(mails) >= 3
    assert max(Counter(r["date"][:10] for r in mails).values()) <= 2
    assert all(r["to"].split("@")[1] in WEBMAIL for r in mails)
    span = max(_when(r["date"]) for r in mails) - min(_when(r["date"]) for r in mails)
    assert span.days >= 14


def test_departed_users_vanish_from_ldap_and_activity(long_r4: Dataset) -> None:
    months = long_r4.ldap()
    names = list(months)
    last_month_of: dict[str, str] = {}
    for name in names:
        for r in months[name]:
            last_month_of[r["user_id"]] = name
    leavers = {u for u, m in last_month_of.items() if m != names[-1]}
    insiders = {r["user"]: int(r["scenario"]) for r in long_r4.rows("answers/insiders.csv")}
    assert leavers - set(insiders), "benign departures exist"
    for source in SOURCES:
        for r in _rows(long_r4, source):
            if r["user"] in leavers:
                month = f"{r['date'][6:10]}-{r['date'][0:2]}"
                assert month <= last_month_of[r["user"]], (source, r)
    first_month_of: dict[str, str] = {}
    for name in reversed(names):
        for r in months[name]:
            first_month_of[r["user_id"]] = name
    hires = {u for u, m in first_month_of.items() if m != names[0]}
    assert hires, "new hires appear mid-period"
    for r in _rows(long_r4, "logon"):
        if r["user"] in hires:
            assert f"{r['date'][6:10]}-{r['date'][0:2]}" >= first_month_of[r["user"]], r


def test_confounders_present(dataset: Dataset) -> None:
    ldap = next(iter(dataset.ldap().values()))
    insiders = {r["user"] for r in dataset.rows("answers/insiders.csv")}
    it_staff = {r["user_id"] for r in ldap if r["role"] == "ITAdmin"} - insiders
    usb_days: defaultdict[str, set[str]] = defaultdict(set)
    for r in _rows(dataset, "device"):
        usb_days[r["user"]].add(r["date"][:10])
    work_days: defaultdict[str, set[str]] = defaultdict(set)
    night_logons = set()
    for r in _rows(dataset, "logon"):
        work_days[r["user"]].add(r["date"][:10])
        if r["activity"] == "Logon" and not 6 <= _when(r["date"]).hour < 19 and r["user"] not in insiders:
            night_logons.add(r["user"])
    assert any(len(usb_days[u]) >= 0.5 * len(work_days[u]) for u in it_staff), "IT staff use USB daily"
    assert night_logons, "benign after-hours workers"
    benign_http = [r for r in _rows(dataset, "http") if r["user"] not in insiders]
    assert any(any(j in r["url"] for j in JOB_SITES) for r in benign_http), "benign job browsing"
    assert any("dropbox.com" in r["url"] or "box.com" in r["url"] for r in benign_http), "benign cloud use"
    benign_mail = [r for r in _rows(dataset, "email") if r["user"] not in insiders]
    assert any(r["to"].split(";")[0].split("@")[1] in WEBMAIL for r in benign_mail), "benign personal mail"
    assert any("@dtaa.com" not in r["to"] for r in benign_mail if r.get("activity", "Send") == "Send")


def test_benign_accidental_decoy_open(r6: Dataset) -> None:
    decoys = {r["decoy_filename"] for r in r6.rows("decoy_file.csv")}
    insiders = {r["user"] for r in r6.rows("answers/insiders.csv")}
    hits = [r for r in _rows(r6, "file") if r["filename"] in decoys and r["user"] not in insiders]
    assert hits
