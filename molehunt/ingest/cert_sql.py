"""CERT rows -> canonical events, in SQL over one parsed block (a registered Arrow table named `batch`).

Each role builds a SELECT yielding the target table's columns plus `_reason`: NULL for a good row, else why the
row goes to quarantine. The checks are the same for both releases; only the columns present differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from molehunt.events import EVENT_COLUMNS

DATE_FORMAT = "%m/%d/%Y %H:%M:%S"
# Sizes and counts are plain decimal digits: try_cast alone would read 0x10 as 16, 1.5 as 2 and " 5" as 5.
DECIMAL = "'[0-9]+'"

# CERT `content` starts with the hex signature of the file type (REFERENCE.md); extensions decide the rest.
CONTENT_TYPE_SQL = """CASE
    WHEN {content} LIKE 'D0-CF-11-E0-A1-B1-1A-E1%' THEN 'doc'
    WHEN {content} LIKE '25-50-44-46-2D%' THEN 'pdf'
    WHEN {content} LIKE '50-4B-03-04-14%' THEN (CASE WHEN lower({name}) LIKE '%.zip' THEN 'zip' ELSE 'docx' END)
    WHEN {content} LIKE 'FF-D8%' THEN 'jpg'
    WHEN {content} LIKE '4D-5A%' THEN 'exe'
    ELSE {by_extension}
END"""

EXTENSION_TYPE_SQL = """CASE regexp_extract(lower({name}), '\\.([a-z0-9]+)$', 1)
    WHEN 'doc' THEN 'doc' WHEN 'docx' THEN 'docx' WHEN 'pdf' THEN 'pdf' WHEN 'jpg' THEN 'jpg'
    WHEN 'jpeg' THEN 'jpg' WHEN 'exe' THEN 'exe' WHEN 'zip' THEN 'zip' WHEN 'txt' THEN 'txt'
    ELSE NULL
END"""

# Same pattern as molehunt.events.split_domain (a test keeps the two in step).
DOMAIN_SQL = "nullif(regexp_replace(lower(regexp_extract(url, '^(?:[^:/?#]*://)?([^/?#:]*)', 1)), '^www\\.', ''), '')"

ACTIVITY_MAPS: dict[str, dict[str, str]] = {
    "logon": {"Logon": "logon", "Logoff": "logoff"},
    "device": {"Connect": "connect", "Disconnect": "disconnect"},
    "file": {"File Open": "open", "File Write": "write", "File Copy": "copy", "File Delete": "delete"},
    "email": {"Send": "send", "View": "view"},
    "http": {"WWW Visit": "visit", "WWW Download": "download", "WWW Upload": "upload"},
}


@dataclass(frozen=True)
class Transform:
    """A SELECT over `batch` producing `columns` of `table` plus `_reason`."""

    table: str
    columns: tuple[str, ...]
    sql: str


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _activity_case(role: str) -> str:
    arms = " ".join(f"WHEN {_sql_string(k)} THEN {_sql_string(v)}" for k, v in ACTIVITY_MAPS[role].items())
    return f"CASE activity {arms} END"


def _flag(column: str) -> str:
    return f"CASE {column} WHEN 'True' THEN true WHEN 'False' THEN false END"


def _reason(checks: list[tuple[str, str]]) -> str:
    """coalesce(earlier reason, first failing check): checks are (bad-condition, message-expression)."""
    arms = " ".join(f"WHEN {cond} THEN {message}" for cond, message in checks)
    return f"coalesce(_reason, CASE {arms} END)"


COMMON_CHECKS: list[tuple[str, str]] = [
    ("id = ''", "'missing id'"),
    ("\"user\" = ''", "'missing user'"),
    ("_time IS NULL", "format('bad date \"{}\" (expected MM/DD/YYYY HH:MM:SS)', date)"),
    # strptime reads 01/04/10 as year 10: a date no real activity has (molehunt.ingest.plausible)
    (
        "_time < $earliest OR _time > $latest",
        "format('date \"{}\" is outside the plausible range {} to {}', date, strftime($earliest, '%Y-%m-%d'),"
        " strftime($latest, '%Y-%m-%d'))",
    ),
]


def _count(column: str, sql_type: str = "BIGINT") -> str:
    """A plain decimal count or size that fits sql_type, else NULL."""
    return f"CASE WHEN regexp_full_match({column}, {DECIMAL}) THEN try_cast({column} AS {sql_type}) END"


def _event_select(
    values: Mapping[str, str], checks: list[tuple[str, str]], derived: Mapping[str, str] | None = None
) -> Transform:
    """Canonical event columns from expressions (missing columns are typed NULLs).

    `derived` names intermediate values computed once per row and usable by the expressions and checks.
    """
    exprs = [f"{values.get(name, f'CAST(NULL AS {sql_type})')} AS {name}" for name, sql_type, _ in EVENT_COLUMNS]
    inner = "".join(f", {expr} AS {name}" for name, expr in (derived or {}).items())
    sql = (
        f"SELECT {', '.join(exprs)}, {_reason(COMMON_CHECKS + checks)} AS _reason "
        f"FROM (SELECT *, try_strptime(date, '{DATE_FORMAT}') AS _time{inner} FROM batch)"
    )
    return Transform("events", tuple(name for name, _, _ in EVENT_COLUMNS), sql)


def _base(kind: str) -> dict[str, str]:
    return {
        "source": "'cert'",
        "file_id": "$file_id",
        "line": "_line",
        "event_id": "id",
        "kind": _sql_string(kind),
        "time": "_time",
        "user_id": '"user"',
        "host": "nullif(pc, '')",
    }


def _activity_check(role: str) -> tuple[str, str]:
    return (f"({_activity_case(role)}) IS NULL", "format('unknown activity \"{}\"', activity)")


def logon(release: str) -> Transform:
    return _event_select(_base("logon") | {"activity": _activity_case("logon")}, [_activity_check("logon")])


def device(release: str) -> Transform:
    values = _base("device") | {"activity": _activity_case("device")}
    if release == "r6.2":
        values["path"] = "nullif(file_tree, '')"
    return _event_select(values, [_activity_check("device")])


def file(release: str) -> Transform:
    by_extension = EXTENSION_TYPE_SQL.format(name="filename")
    values = _base("file") | {
        "path": "filename",
        "content_type": CONTENT_TYPE_SQL.format(
            content="content", name="filename", by_extension=f"coalesce({by_extension}, 'other')"
        ),
        "content": "nullif(content, '')",
    }
    checks: list[tuple[str, str]] = [("filename = ''", "'missing filename'")]
    if release == "r4.2":
        # Every r4.2 file row is a copy to removable media (CERT readme).
        values |= {"activity": "'copy'", "to_removable": "true", "from_removable": "false"}
    else:
        values |= {
            "activity": _activity_case("file"),
            "to_removable": _flag("to_removable_media"),
            "from_removable": _flag("from_removable_media"),
        }
        checks += [
            _activity_check("file"),
            (
                f"({_flag('to_removable_media')}) IS NULL",
                "format('bad flag to_removable_media=\"{}\"', to_removable_media)",
            ),
            (
                f"({_flag('from_removable_media')}) IS NULL",
                "format('bad flag from_removable_media=\"{}\"', from_removable_media)",
            ),
        ]
    return _event_select(values, checks)


RECIPIENTS_SQL = (
    "list_transform(list_filter(string_split(concat_ws(';', \"to\", cc, bcc), ';'), lambda a: trim(a) <> ''),"
    " lambda a: lower(trim(a)))"
)
ATTACHMENT_PARTS_SQL = "list_filter(string_split(attachments, ';'), lambda p: p <> '')"
IS_INTERNAL = "lambda a: list_contains($internal_domains, split_part(a, '@', 2))"


def email(release: str) -> Transform:
    # Recipients are split once per row (derived), then counted by domain.
    derived = {"_recipients": RECIPIENTS_SQL, "_internal": f"list_transform({RECIPIENTS_SQL}, {IS_INTERNAL})"}
    values = _base("email") | {
        "sender": "nullif(lower(trim(\"from\")), '')",
        "recipients": "_recipients",
        "n_internal": "len(list_filter(_internal, lambda x: x))",
        "n_external": "len(list_filter(_internal, lambda x: NOT x))",
        "bytes": _count("size"),
        "content": "nullif(content, '')",
    }
    checks: list[tuple[str, str]] = [
        (f"{_count('size')} IS NULL", "format('bad size \"{}\" (expected a whole number of bytes)', size)"),
        ("\"from\" = ''", "'missing sender'"),
    ]
    if release == "r4.2":
        values |= {"activity": "'send'", "attachment_count": _count("attachments", "INTEGER")}
        checks.append(
            (f"{_count('attachments', 'INTEGER')} IS NULL", "format('bad attachment count \"{}\"', attachments)")
        )
    else:
        derived["_parts"] = ATTACHMENT_PARTS_SQL
        # Each size as BIGINT (NULL when it does not fit), summed as HUGEINT: checked below before it is stored.
        derived["_sizes"] = (
            "list_transform(_parts, lambda p: try_cast(regexp_extract(p, '\\(([0-9]+)\\)$', 1) AS BIGINT))"
        )
        derived["_total"] = "coalesce(list_sum(_sizes), 0)"
        values |= {
            "activity": _activity_case("email"),
            "attachment_count": "len(_parts)",
            "attachment_bytes": "CASE WHEN _total <= 9223372036854775807 THEN CAST(_total AS BIGINT) END",
        }
        checks += [
            _activity_check("email"),
            (
                "NOT list_bool_and(list_append(list_transform(_parts,"
                " lambda p: regexp_matches(p, '^.+\\([0-9]+\\)$')), true))",
                "format('bad attachments \"{}\" (expected path(bytes);...)', attachments)",
            ),
            (
                "list_count(_sizes) < len(_sizes) OR _total > 9223372036854775807",
                "format('bad attachments \"{}\" (a size out of range: at most 2^63 - 1 bytes in all)', attachments)",
            ),
        ]
    return _event_select(values, checks, derived)


def http(release: str) -> Transform:
    values = _base("http") | {
        "url": "url",
        "domain": DOMAIN_SQL,
        "content_type": EXTENSION_TYPE_SQL.format(name="regexp_extract(url, '^[^?#]*')"),
        "content": "nullif(content, '')",
        "activity": "'visit'" if release == "r4.2" else _activity_case("http"),
    }
    checks: list[tuple[str, str]] = [("url = ''", "'missing url'")]
    if release != "r4.2":
        checks.append(_activity_check("http"))
    return _event_select(values, checks)


LDAP_COLUMNS = (
    "month", "employee_name", "user_id", "email", "role", "projects", "business_unit",
    "functional_unit", "department", "team", "supervisor", "file_id", "line",
)  # fmt: skip


def ldap(release: str) -> Transform:
    projects = (
        "list_transform(list_filter(string_split(projects, ';'), lambda p: trim(p) <> ''), lambda p: trim(p))"
        if release == "r6.2"
        else "CAST(NULL AS VARCHAR[])"
    )
    sql = f"""SELECT CAST($month AS DATE) AS month, nullif(employee_name, '') AS employee_name, user_id,
        nullif(lower(email), '') AS email, nullif(role, '') AS role, {projects} AS projects,
        nullif(business_unit, '') AS business_unit, nullif(functional_unit, '') AS functional_unit,
        nullif(department, '') AS department, nullif(team, '') AS team,
        nullif(supervisor, '') AS supervisor, $file_id AS file_id, _line AS line,
        {_reason([("user_id = ''", "'missing user_id'")])} AS _reason
        FROM batch"""
    return Transform("directory_snapshots", LDAP_COLUMNS, sql)


PSYCHOMETRIC_TRAITS = {
    "O": "openness",
    "C": "conscientiousness",
    "E": "extraversion",
    "A": "agreeableness",
    "N": "neuroticism",
}


def psychometric(release: str) -> Transform:
    scores = {k: _count(f'"{k}"', "INTEGER") for k in PSYCHOMETRIC_TRAITS}
    traits = ", ".join(f"{scores[k]} AS {v}" for k, v in PSYCHOMETRIC_TRAITS.items())
    checks = [("user_id = ''", "'missing user_id'")] + [
        (f"{scores[k]} IS NULL", f'format(\'bad score {k}="{{}}"\', "{k}")') for k in PSYCHOMETRIC_TRAITS
    ]
    sql = f"""SELECT user_id, nullif(employee_name, '') AS employee_name, {traits},
        $file_id AS file_id, _line AS line, {_reason(checks)} AS _reason FROM batch"""
    columns = ("user_id", "employee_name", *PSYCHOMETRIC_TRAITS.values(), "file_id", "line")
    return Transform("psychometric", columns, sql)


def decoy(release: str) -> Transform:
    sql = f"""SELECT decoy_filename AS path, nullif(pc, '') AS host, $file_id AS file_id, _line AS line,
        {_reason([("decoy_filename = ''", "'missing decoy_filename'")])} AS _reason FROM batch"""
    return Transform("decoy_files", ("path", "host", "file_id", "line"), sql)


TRANSFORMS = {
    "logon": logon,
    "device": device,
    "file": file,
    "email": email,
    "http": http,
    "ldap": ldap,
    "psychometric": psychometric,
    "decoy": decoy,
}
