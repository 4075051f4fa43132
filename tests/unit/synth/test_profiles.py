"""Organization profiles: drawn deterministically inside their documented ranges, the baseline untouched,
departures hidden without changing any activity byte, and each new confounder present when a profile turns
it on (and never in answers/)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import fields
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from synth_support import Dataset

from molehunt.synth import SynthConfig, generate
from molehunt.synth.cached import MARKER, cache_key, ensure_generated
from molehunt.synth.hr import HR_FILE
from molehunt.synth.profile import BASELINE, RANGES, ROLES, Profile
from molehunt.synth.schema import header
from molehunt.synth.vocab import PERSONAL_WORDS as PERSONAL_VOCAB

pytestmark = pytest.mark.slow

HACKING = ("actualkeylogger.com", "refog.com", "spyrix.com", "keylogger.org", "softactivity.com", "hackforums.net")
WEBMAIL = ("gmail.com", "yahoo.com", "hotmail.com", "aol.com", "comcast.net", "msn.com", "verizon.net",
           "juno.com", "earthlink.net", "cox.net")  # fmt: skip
PERSONAL_WORDS = set(PERSONAL_VOCAB)
# sha256 of SynthConfig(users=40, days=60, seed=9) per release, as written before profiles existed: profile=None
# must stay today's simulator byte for byte (update only when the baseline is changed on purpose)
BASELINE_DIGESTS = {
    "r4.2": "1cb7a376073f202f12216f7d1b92e061b2c588b113d6ebfce02f18977b42ebeb",
    "r6.2": "01ebfdf2905b42a7fc0a2a47b835443d90203671c58826b93328af72f50f278a",
}


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _first_profile(**at_least: float) -> int:
    """The first profile number whose fields are at least the given values (a profile that turns them on)."""
    return next(n for n in range(1, 2000) if all(getattr(Profile.draw(n), k) >= v for k, v in at_least.items()))


LOUD = _first_profile(
    leaver_copy_share=0.45, security_days=0.5, forwarder_days=2.0, admin_visit_days=0.5, mass_mail_per_week=2.0
)


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


def _rows(ds: Dataset, source: str) -> list[dict[str, str]]:
    cols = header(source, ds.cfg.release)
    return [dict(zip(cols, line.split(","), strict=True)) for line in ds.lines(f"{source}.csv")[1:]]


@pytest.fixture(scope="module")
def loud(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    cfg = SynthConfig(users=60, days=90, seed=4, release="r6.2", profile=LOUD, departures_known=True)
    root = tmp_path_factory.mktemp("loud")
    return Dataset(cfg, generate(cfg, root), root)


def test_a_profile_is_deterministic_and_inside_its_documented_ranges() -> None:
    seen: defaultdict[str, set[bool]] = defaultdict(set)
    for number in range(1, 301):
        p = Profile.draw(number)
        assert p == Profile.draw(number) and p.number == number
        for f in fields(Profile):
            value = getattr(p, f.name)
            if f.name == "number":
                continue
            lo, hi = RANGES[f.name]
            if f.name == "role_habits":
                assert [row[0] for row in value] == list(ROLES)
                assert all(lo <= m <= hi for row in value for m in row[1:])
            elif isinstance(value, bool):
                seen[f.name].add(value)
            else:
                assert lo <= value <= hi, (number, f.name, value)
        assert str(number) in p.describe()
    assert seen == {"departures_known": {True, False}, "hr_known": {True, False}}
    assert Profile.draw(1) != Profile.draw(2)
    assert set(RANGES) == {f.name for f in fields(Profile)} - {"number"}


@pytest.mark.parametrize("bad", [0, -3])
def test_zero_is_not_a_profile(bad: int) -> None:
    with pytest.raises(ValueError, match="profile"):
        Profile.draw(bad)
    with pytest.raises(ValueError, match="profile"):
        SynthConfig(profile=bad)
    assert SynthConfig().character is BASELINE and "baseline" in BASELINE.describe()


@pytest.mark.parametrize("release", ["r4.2", "r6.2"])
def test_without_a_profile_the_output_is_todays(tmp_path: Path, release: str) -> None:
    generate(SynthConfig(users=40, days=60, seed=9, release=release, profile=None, departures_known=None), tmp_path)
    assert _digest(tmp_path) == BASELINE_DIGESTS[release]


def test_the_same_profile_config_writes_the_same_bytes(tmp_path: Path) -> None:
    cfg = SynthConfig(users=40, days=60, seed=2, profile=5, departures_known=False)
    generate(cfg, tmp_path / "a")
    generate(cfg, tmp_path / "b")
    generate(SynthConfig(users=40, days=60, seed=2, profile=6, departures_known=False), tmp_path / "c")
    a, b, c = (_snapshot(tmp_path / x) for x in "abc")
    assert a == b
    assert a["http.csv"] != c["http.csv"]


@pytest.mark.parametrize(("profile", "release"), [(None, "r4.2"), (LOUD, "r6.2")])
def test_unknown_departures_change_only_the_directory_and_hr_dates(
    tmp_path: Path, profile: int | None, release: str
) -> None:
    base = {"users": 60, "days": 100, "seed": 5, "release": release, "profile": profile}
    known, unknown = tmp_path / "known", tmp_path / "unknown"
    k_cfg = SynthConfig(**base, departures_known=True)  # type: ignore[arg-type]
    u_cfg = SynthConfig(**base, departures_known=False)  # type: ignore[arg-type]
    k, u = Dataset(k_cfg, generate(k_cfg, known), known), Dataset(u_cfg, generate(u_cfg, unknown), unknown)
    a, b = _snapshot(known), _snapshot(unknown)
    assert a.keys() == b.keys()
    differ = {name for name in a if a[name] != b[name]}
    assert differ and all(name.startswith("LDAP/") or name == HR_FILE.as_posix() for name in differ)

    hr_known = {r["user"]: r for r in k.rows(HR_FILE.as_posix())}
    hr_unknown = {r["user"]: r for r in u.rows(HR_FILE.as_posix())}
    leavers = {user for user, r in hr_known.items() if r["last_day"]}
    assert leavers
    for user, r in hr_unknown.items():
        assert r["notice_date"] == r["last_day"] == ""
        assert {**r, "notice_date": "", "last_day": ""} == {**hr_known[user], "notice_date": "", "last_day": ""}
    months_known, months_unknown = k.ldap(), u.ldap()
    for user in leavers:
        last = date.fromisoformat(hr_known[user]["last_day"])
        latest = [r for r in months_known[f"{last:%Y-%m}"] if r["user_id"] == user]
        assert len(latest) == 1
        for month, people in months_unknown.items():
            if month >= f"{last:%Y-%m}":  # still listed, with the attributes they left with
                assert [r for r in people if r["user_id"] == user] == latest, (user, month)
        assert all(
            user not in {r["user_id"] for r in people} for m, people in months_known.items() if m > f"{last:%Y-%m}"
        )


def test_a_profile_decides_whether_departures_are_known(tmp_path: Path) -> None:
    number = next(n for n in range(1, 500) if not Profile.draw(n).departures_known and Profile.draw(n).hr_known)
    cfg = SynthConfig(users=60, days=100, seed=5, profile=number)
    ds = Dataset(cfg, generate(cfg, tmp_path), tmp_path)
    leavers = {r["user"] for r in ds.rows(HR_FILE.as_posix()) if r["last_day"]}
    last_month = ds.ldap()[max(ds.ldap())]
    assert leavers and leavers <= {r["user_id"] for r in last_month}


def test_security_staff_browse_hacking_sites_on_many_days(loud: Dataset) -> None:
    insiders = {r["user"] for r in loud.rows("answers/insiders.csv")}
    days: defaultdict[str, set[str]] = defaultdict(set)
    downloads = Counter[str]()
    for r in _rows(loud, "http"):
        if r["user"] not in insiders and any(h in r["url"] for h in HACKING):
            days[r["user"]].add(r["date"][:10])
            downloads[r["user"]] += r["activity"] == "WWW Download"
    analyst, busy = max(days.items(), key=lambda kv: len(kv[1]))
    assert len(busy) >= 10 and downloads[analyst] > 0


def test_benign_leavers_copy_personal_files_before_their_last_day(loud: Dataset) -> None:
    insiders = {r["user"] for r in loud.rows("answers/insiders.csv")}
    hr = {r["user"]: r for r in loud.rows(HR_FILE.as_posix())}
    leavers = {u: date.fromisoformat(r["last_day"]) for u, r in hr.items() if r["last_day"] and u not in insiders}
    copies: Counter[str] = Counter()
    for r in _rows(loud, "file"):
        day = _when(r["date"]).date()
        personal = set(r["content"].split()[1:]) <= PERSONAL_WORDS
        if r["user"] in leavers and r["to_removable_media"] == "True" and personal:
            last = leavers[r["user"]]
            if last - timedelta(days=28) <= day <= last:
                copies[r["user"]] += 1
    assert copies and max(copies.values()) >= 10, "a benign leaver copies personal files in their last weeks"
    answered = "".join(p.read_text() for p in (loud.root / "answers").rglob("r6.2-*.csv"))
    assert all(user not in answered for user in copies)


def test_admins_log_on_to_many_other_peoples_pcs(loud: Dataset) -> None:
    ldap = next(iter(loud.ldap().values()))
    admins = {r["user_id"] for r in ldap if r["role"] == "ITAdmin"}
    logons = [r for r in _rows(loud, "logon") if r["activity"] == "Logon"]
    own = {}
    for user, pcs in _group(logons).items():
        own[user] = pcs.most_common(1)[0][0]
    owners = {pc: user for user, pc in own.items()}
    foreign: defaultdict[str, set[str]] = defaultdict(set)
    for r in logons:
        if r["user"] in admins and owners.get(r["pc"], r["user"]) != r["user"]:
            foreign[r["user"]].add(r["pc"])
    assert max(len(pcs) for pcs in foreign.values()) >= 10


def _group(rows: list[dict[str, str]]) -> dict[str, Counter[str]]:
    out: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        out[r["user"]][r["pc"]] += 1
    return out


def test_forwarders_mail_attachments_to_their_own_webmail(loud: Dataset) -> None:
    insiders = {r["user"] for r in loud.rows("answers/insiders.csv")}
    names = {r["user_id"]: r["employee_name"].split() for r in next(iter(loud.ldap().values()))}
    days: defaultdict[str, set[str]] = defaultdict(set)
    for r in _rows(loud, "email"):
        user, to = r["user"], r["to"]
        first, *_, last = names.get(user, ["?", "?"])
        own = to.startswith(f"{first}.{last}") and to.split("@")[1] in WEBMAIL
        if user not in insiders and r["activity"] == "Send" and r["attachments"] and own:
            days[user].add(r["date"][:10])
    assert max(len(d) for d in days.values()) >= 8, "someone mails their own address with attachments routinely"


def test_mass_mailers_write_to_many_colleagues(loud: Dataset) -> None:
    insiders = {r["user"] for r in loud.rows("answers/insiders.csv")}
    mass = [
        r
        for r in _rows(loud, "email")
        if r["user"] not in insiders and len((r["to"] + ";" + r["bcc"]).strip(";").split(";")) >= 15
    ]
    assert len(mass) >= 3
    assert all(a.endswith("@dtaa.com") for r in mass for a in (r["to"] + ";" + r["bcc"]).strip(";").split(";"))


def test_insider_intensity_scales_the_theft(tmp_path: Path) -> None:
    low = next(n for n in range(1, 2000) if Profile.draw(n).insider_intensity < 0.45)
    high = next(n for n in range(1, 2000) if Profile.draw(n).insider_intensity > 1.35)
    per_day = {}
    for number in (low, high):
        cfg = SynthConfig(users=40, days=60, seed=8, scenarios=(6,), profile=number)
        ds = Dataset(cfg, generate(cfg, tmp_path / str(number)), tmp_path / str(number))
        (row,) = ds.rows("answers/insiders.csv")
        lines = ds.lines(f"answers/r6.2-6/{row['details']}")
        copies = Counter(
            line.split(",")[2][:10] for line in lines if line.startswith("file,") and ",File Copy," in line
        )
        per_day[number] = sum(copies.values()) / len(copies)
    assert per_day[low] < 25 < 45 < per_day[high]


def test_the_cache_keys_on_profile_and_departures(tmp_path: Path) -> None:
    plain = SynthConfig(users=20, days=30, seed=1)
    assert "profile" not in json.loads(cache_key(plain))  # simulations cached before profiles stay valid
    keys = {cache_key(SynthConfig(users=20, days=30, seed=1, profile=p, departures_known=d))
            for p in (None, 1, 2) for d in (None, True, False)}  # fmt: skip
    assert len(keys) == 9
    assert ensure_generated(SynthConfig(users=20, days=30, seed=1, profile=3), tmp_path)
    assert not ensure_generated(SynthConfig(users=20, days=30, seed=1, profile=3), tmp_path)
    assert ensure_generated(SynthConfig(users=20, days=30, seed=1, profile=3, departures_known=False), tmp_path)
    assert json.loads((tmp_path / MARKER).read_text())["departures_known"] is False


@pytest.mark.parametrize("release", ["r4.2", "r6.2"])
def test_with_a_profile_every_insider_is_answered_verbatim(tmp_path: Path, release: str) -> None:
    cfg = SynthConfig(users=50, days=75, seed=6, release=release, profile=11)
    ds = Dataset(cfg, generate(cfg, tmp_path), tmp_path)
    files = {s: set(ds.lines(f"{s}.csv")[1:]) for s in ("logon", "device", "file", "email", "http")}
    insiders = ds.rows("answers/insiders.csv")
    assert sorted(int(r["scenario"]) for r in insiders) == list(cfg.scenarios)
    for ins in insiders:
        lines = ds.lines(f"answers/r{ins['dataset']}-{ins['scenario']}/{ins['details']}")
        assert lines
        for line in lines:
            source, rest = line.split(",", 1)
            assert rest in files[source] and rest.split(",")[2] == ins["user"], line


def test_the_synth_command_takes_a_profile_and_unknown_departures(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from molehunt.cli import app

    args = ["synth", "--users", "40", "--days", "45", "--seed", "3", "--profile", "2"]
    runner = CliRunner()
    shown = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    hidden = runner.invoke(app, [*args, "--departures-unknown", "--out", str(tmp_path / "b")])
    assert shown.exit_code == hidden.exit_code == 0, shown.output + hidden.output
    assert "profile 2" in shown.output
    a, b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert a["http.csv"] == b["http.csv"] and a["answers/insiders.csv"] == b["answers/insiders.csv"]
    hr = list(csv.DictReader(b[HR_FILE.as_posix()].decode().splitlines()))
    assert hr and all(row["notice_date"] == row["last_day"] == "" for row in hr)
    assert runner.invoke(app, [*args[:-1], "0", "--out", str(tmp_path / "c")]).exit_code != 0
