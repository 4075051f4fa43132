"""Tables of the store, as numbered migrations applied in order (never edit a shipped one: add a new one)."""

from __future__ import annotations

from molehunt.events import EVENT_COLUMNS


def _events_table() -> str:
    columns = ",\n    ".join(f"{name} {sql_type}" for name, sql_type, _ in EVENT_COLUMNS)
    return f"CREATE TABLE events (\n    {columns}\n)"


MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            # One row per ingested file; (content_sha256, snapshot) makes re-ingesting the same bytes a no-op.
            # snapshot is the month of an LDAP file ('' otherwise): two months may hold identical bytes.
            # status is 'pending' while a file is being written (in committed chunks) and 'complete' after;
            # a pending file's rows are removed before anything reads the store (molehunt.store.files).
            """CREATE TABLE ingested_files (
                file_id INTEGER PRIMARY KEY,
                path VARCHAR NOT NULL,
                content_sha256 VARCHAR NOT NULL,
                snapshot VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                release VARCHAR,
                role VARCHAR NOT NULL,
                size_bytes BIGINT NOT NULL,
                rows_read BIGINT NOT NULL,
                rows_ingested BIGINT NOT NULL,
                rows_quarantined BIGINT NOT NULL,
                ingested_at TIMESTAMP NOT NULL,
                status VARCHAR NOT NULL CHECK (status IN ('pending', 'complete')),
                UNIQUE (content_sha256, snapshot)
            )""",
            _events_table(),
            # Rows that could not be read, kept whole with the reason, never dropped silently.
            """CREATE TABLE quarantine (
                file_id INTEGER NOT NULL,
                line BIGINT,
                reason VARCHAR NOT NULL,
                raw VARCHAR
            )""",
            # LDAP-style monthly directory snapshots; departures show as a user missing from later months.
            """CREATE TABLE directory_snapshots (
                month DATE NOT NULL,
                employee_name VARCHAR,
                user_id VARCHAR NOT NULL,
                email VARCHAR,
                role VARCHAR,
                projects VARCHAR[],
                business_unit VARCHAR,
                functional_unit VARCHAR,
                department VARCHAR,
                team VARCHAR,
                supervisor VARCHAR,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            """CREATE TABLE psychometric (
                user_id VARCHAR NOT NULL,
                employee_name VARCHAR,
                openness INTEGER,
                conscientiousness INTEGER,
                extraversion INTEGER,
                agreeableness INTEGER,
                neuroticism INTEGER,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            """CREATE TABLE decoy_files (
                path VARCHAR NOT NULL,
                host VARCHAR,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            # Ground truth: read by evaluation only, never by features or scorers.
            """CREATE TABLE answers_insiders (
                dataset VARCHAR NOT NULL,
                scenario INTEGER NOT NULL,
                details VARCHAR,
                user_id VARCHAR NOT NULL,
                start_time TIMESTAMP NOT NULL,
                end_time TIMESTAMP NOT NULL,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            """CREATE TABLE answers_events (
                dataset VARCHAR NOT NULL,
                scenario INTEGER NOT NULL,
                user_id VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                event_id VARCHAR NOT NULL,
                time TIMESTAMP,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            # Per user: latest directory attributes and the first/last month seen.
            """CREATE VIEW directory_users AS
            WITH ranked AS (
                SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY month DESC) AS recency,
                       min(month) OVER (PARTITION BY user_id) AS first_month,
                       max(month) OVER (PARTITION BY user_id) AS last_month
                FROM directory_snapshots
            )
            SELECT user_id, employee_name, email, role, projects, business_unit, functional_unit,
                   department, team, supervisor, first_month, last_month,
                   last_month < (SELECT max(month) FROM directory_snapshots) AS departed
            FROM ranked WHERE recency = 1""",
            # Ground-truth labels joined to events on (release, kind, source id), never on column position;
            # ids are unique within one release's file only.
            """CREATE VIEW labelled_events AS
            SELECT e.*, a.dataset, a.scenario
            FROM events e
            JOIN ingested_files f ON f.file_id = e.file_id
            JOIN answers_events a ON e.kind = a.kind AND e.event_id = a.event_id AND a.dataset = f.release""",
        ),
    ),
)

MIGRATIONS += (
    (
        2,
        (
            # Fitted models, so scoring a new day reuses the fit of the last full scoring. The payload is data
            # (molehunt.detect.anomaly.state: JSON and arrays), never a pickle: the store is not trusted to run code.
            """CREATE TABLE models (
                name VARCHAR PRIMARY KEY,
                fitted_at TIMESTAMP NOT NULL,
                fitted_rows BIGINT NOT NULL,
                payload BLOB NOT NULL
            )""",
        ),
    ),
)

MIGRATIONS += (
    (
        3,
        (
            # The vault (molehunt.vault): subjects with clearances, documents with labels, per-recipient checkouts.
            # Blobs live encrypted under home/vault/blobs/; the key is never stored here.
            """CREATE TABLE vault_subjects (
                user_id VARCHAR PRIMARY KEY,
                level VARCHAR NOT NULL,
                compartments VARCHAR[] NOT NULL,
                projects VARCHAR[] NOT NULL,
                granted_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE vault_documents (
                doc_id VARCHAR PRIMARY KEY,
                title VARCHAR NOT NULL,
                level VARCHAR NOT NULL,
                compartments VARCHAR[] NOT NULL,
                project VARCHAR NOT NULL,
                content_type VARCHAR NOT NULL,
                size_bytes BIGINT NOT NULL,
                sha256 VARCHAR NOT NULL,
                decoy BOOLEAN NOT NULL,
                added_by VARCHAR NOT NULL,
                added_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE vault_checkouts (
                doc_id VARCHAR NOT NULL,
                recipient VARCHAR NOT NULL,
                out_path VARCHAR NOT NULL,
                sha256 VARCHAR NOT NULL,
                audit_seq BIGINT NOT NULL,
                checked_out_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
)

MIGRATIONS += (
    (
        4,
        (
            # The analyst workbench (molehunt.workbench, molehunt.web). Passwords are argon2 hashes; sessions are
            # stored by the SHA-256 of their token, so a copy of the store does not hand out live sessions.
            """CREATE TABLE web_users (
                name VARCHAR PRIMARY KEY,
                role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
                password_hash VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE web_sessions (
                token_sha256 VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL,
                csrf_token VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL,
                expires_at TIMESTAMP NOT NULL
            )""",
            # Identities a session has revealed (each reveal is also an audit log entry with the justification).
            """CREATE TABLE web_reveals (
                token_sha256 VARCHAR NOT NULL,
                user_id VARCHAR NOT NULL,
                revealed_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE alert_dismissals (
                user_id VARCHAR NOT NULL,
                day DATE NOT NULL,
                reason VARCHAR NOT NULL,
                dismissed_by VARCHAR NOT NULL,
                dismissed_at TIMESTAMP NOT NULL,
                PRIMARY KEY (user_id, day)
            )""",
            """CREATE TABLE cases (
                case_id INTEGER PRIMARY KEY,
                title VARCHAR NOT NULL,
                user_id VARCHAR NOT NULL,
                day DATE NOT NULL,
                status VARCHAR NOT NULL CHECK (status IN ('open', 'investigating', 'closed')),
                assignee VARCHAR,
                opened_by VARCHAR NOT NULL,
                opened_at TIMESTAMP NOT NULL,
                updated_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE case_notes (
                case_id INTEGER NOT NULL,
                author VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL
            )""",
            # Analyst changes to the shipped rules: on/off and numeric thresholds (JSON {key: number}).
            """CREATE TABLE rule_settings (
                rule_id VARCHAR PRIMARY KEY,
                enabled BOOLEAN NOT NULL,
                thresholds VARCHAR NOT NULL,
                changed_by VARCHAR NOT NULL,
                changed_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
)

MIGRATIONS += (
    (
        5,
        (
            # An HR / directory export (molehunt.ingest.hr, docs/hr.md): one row per person per ingested file.
            # notice_date is the resignation or notice date; last_day the last working day.
            """CREATE TABLE hr_people (
                user_id VARCHAR NOT NULL,
                employee_name VARCHAR,
                email VARCHAR,
                department VARCHAR,
                role VARCHAR,
                manager VARCHAR,
                hire_date DATE,
                notice_date DATE,
                last_day DATE,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            # Employment events (a performance plan, a grievance, ...) as HR recorded them, one per row.
            """CREATE TABLE hr_events (
                user_id VARCHAR NOT NULL,
                day DATE NOT NULL,
                event VARCHAR NOT NULL,
                file_id INTEGER NOT NULL,
                line BIGINT NOT NULL
            )""",
            # Per user: the row of the most recently ingested HR file that lists them.
            """CREATE VIEW hr_users AS
            SELECT * EXCLUDE (recency) FROM (
                SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY file_id DESC, line DESC) AS recency
                FROM hr_people
            ) WHERE recency = 1""",
        ),
    ),
)

MIGRATIONS += (
    (
        6,
        (
            # The fingerprint of the feature and baseline definitions a model was fitted with
            # (molehunt.features.definitions): a run from --since refuses caches of other definitions.
            "ALTER TABLE models ADD COLUMN definitions VARCHAR",
        ),
    ),
)

MIGRATIONS += (
    (
        7,
        (
            # Per user: the employment events of the HR file hr_users takes their row from (a newer export that
            # drops an event corrects it). The features and the person page read this, never hr_events directly.
            """CREATE VIEW hr_user_events AS
            SELECT e.user_id, e.day, e.event, e.line FROM hr_events e
            JOIN hr_users h ON h.user_id = e.user_id AND h.file_id = e.file_id""",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]

# Tables whose rows come from an ingested file (they carry its file_id).
FILE_TABLES = (
    "events", "quarantine", "directory_snapshots", "psychometric", "decoy_files", "answers_insiders", "answers_events",
    "hr_people", "hr_events",
)  # fmt: skip
