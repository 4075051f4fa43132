"""Tiny CERT-format directories written by the tests themselves (CERT data may not be redistributed)."""

from __future__ import annotations

from pathlib import Path

from molehunt.ingest.cert_layout import HEADERS

LDAP_R42 = [
    "Ann Lee,ALE0001,Ann.Lee@dtaa.com,Engineer,1,2,Engineering,Team A,Bob Ray",
    "Bob Ray,BRA0002,Bob.Ray@dtaa.com,Manager,1,2,Engineering,Team A,",
]
LDAP_R62 = [
    "Ann Lee,ALE0001,Ann.Lee@dtaa.com,Engineer,Atlas;Borealis,1,2,Engineering,Team A,Bob Ray",
    "Bob Ray,BRA0002,Bob.Ray@dtaa.com,Manager,,1,2,Engineering,Team A,",
]

ROWS: dict[str, dict[str, list[str]]] = {
    "r4.2": {
        "logon": [
            "{L1},01/04/2010 07:58:00,ALE0001,PC-0001,Logon",
            "{L2},01/04/2010 17:02:00,ALE0001,PC-0001,Logoff",
        ],
        "device": ["{D1},01/04/2010 09:00:00,ALE0001,PC-0001,Connect"],
        "file": ["{F1},01/04/2010 09:01:00,ALE0001,PC-0001,7XC2RWTD.pdf,25-50-44-46-2D budget plan"],
        "email": [
            "{E1},01/04/2010 10:00:00,ALE0001,PC-0001,Bob.Ray@dtaa.com;x@gmail.com,,y@corp.com,"
            "Ann.Lee@dtaa.com,20480,2,meeting notes",
        ],
        "http": ["{H1},01/04/2010 11:00:00,ALE0001,PC-0001,http://www.WikiLeaks.org/upload/a.exe,leak"],
        "psychometric": ["Ann Lee,ALE0001,40,39,36,19,40"],
    },
    "r6.2": {
        "logon": ["{L1},01/04/2010 07:58:00,ALE0001,PC-0001,Logon"],
        "device": ["{D1},01/04/2010 09:00:00,ALE0001,PC-0001,R:\\;R:\\Atlas,Connect"],
        "file": [
            "{F1},01/04/2010 09:01:00,ALE0001,PC-0001,C:\\Atlas\\specs\\X1.doc,File Copy,True,False,"
            "D0-CF-11-E0-A1-B1-1A-E1 design",
            "{F2},01/04/2010 09:02:00,ALE0001,PC-0001,R:\\notes.zip,File Open,False,True,50-4B-03-04-14 zip",
        ],
        "email": [
            "{E1},01/04/2010 10:00:00,ALE0001,PC-0001,x@gmail.com,,,Ann.Lee@dtaa.com,Send,30000,"
            "C:\\a.pdf(1200);C:\\b (v2).doc(800),files",
        ],
        "http": ["{H1},01/04/2010 11:00:00,ALE0001,PC-0001,https://dropbox.com/u?x=1,WWW Upload,docs"],
        "psychometric": ["Ann Lee,ALE0001,40,39,36,19,40"],
        "decoy": ["C:\\Atlas\\specs\\decoy1.doc,PC-0001"],
    },
}

FILE_NAMES = {
    "logon": "logon.csv",
    "device": "device.csv",
    "file": "file.csv",
    "email": "email.csv",
    "http": "http.csv",
    "psychometric": "psychometric.csv",
    "decoy": "decoy_file.csv",
}


def write_csv(path: Path, header: tuple[str, ...] | list[str], rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(header) + "\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def write_cert_dir(
    root: Path, release: str = "r4.2", overrides: dict[str, list[str]] | None = None, months: int = 2
) -> Path:
    """A complete tiny CERT directory of the given release; `overrides` replaces the rows of a kind."""
    rows = dict(ROWS[release]) | (overrides or {})
    for kind, name in FILE_NAMES.items():
        if kind in rows:
            write_csv(root / name, HEADERS[kind][release], rows[kind])
    ldap = LDAP_R62 if release == "r6.2" else LDAP_R42
    for month in range(1, months + 1):
        people = ldap if month < months else ldap[1:]  # Ann leaves before the last month
        write_csv(root / "LDAP" / f"2010-{month:02d}.csv", HEADERS["ldap"][release], people)
    return root


def write_answers(root: Path, release: str, lines: list[str], *, user: str = "ALE0001", scenario: int = 2) -> None:
    number = release.removeprefix("r")
    details = f"{release}-{scenario}-{user}.csv"
    write_csv(
        root / "answers" / "insiders.csv",
        HEADERS["insiders"][release],
        [
            f"{number},{scenario},{details},{user},1/4/2010 7:58:00,1/4/2010 11:0:00",
            "1,1,r1-1-ZZZ.csv,ZZZ,1/1/2010 1:00:00,1/2/2010 1:00:00",
        ],
    )
    detail = root / "answers" / f"{release}-{scenario}" / details
    detail.parent.mkdir(parents=True, exist_ok=True)
    detail.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
