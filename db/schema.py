"""Schema migrations: small numbered steps, each in its own BEGIN IMMEDIATE transaction."""
from __future__ import annotations

import sqlite3
from typing import Callable

from db.connection import APPLICATION_ID, Database

Migration = Callable[[Database], None]
_MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        _MIGRATIONS.append((version, name, fn))
        return fn
    return register


def _date_check(col: str) -> str:
    # date() alone lets 2023-02-30 through; a '+0 days' modifier normalises it, so only real dates equal themselves.
    return (f"CHECK ({col} IS NULL OR ({col} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'"
            f" AND date({col}, '+0 days') = {col}))")


# The four things a target or an update can be about; exactly one column is set per row.
_SUBJECT_COLUMNS = """
    portfolio_id INTEGER REFERENCES portfolio(id),
    project_id   INTEGER REFERENCES project(id),
    indicator_id INTEGER REFERENCES indicator(id),
    cluster_id   INTEGER REFERENCES cluster(id),
"""
_ONE_SUBJECT = """CHECK ((portfolio_id IS NOT NULL) + (project_id IS NOT NULL)
                 + (indicator_id IS NOT NULL) + (cluster_id IS NOT NULL) = 1)"""


def _target_columns(metrics: str) -> str:
    """The target table's own columns (between the subject columns and the checks), for ``metrics`` allowed."""
    return f"""metric         TEXT NOT NULL CHECK (metric IN ({metrics})),
        value          INTEGER,
        effective_from TEXT NOT NULL {_date_check('effective_from')},
        reason         TEXT NOT NULL,
        doc_no         TEXT NOT NULL DEFAULT '',
        source         TEXT NOT NULL DEFAULT '',
        revised_at     TEXT NOT NULL,
        revised_by     TEXT NOT NULL,"""


def _append_only(table: str) -> str:
    return f"""
    CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a new row instead'); END;
    CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never deleted'); END;
    """


@migration(1, "initial schema")
def _v1(db: Database) -> None:
    ddl = f"""
    CREATE TABLE setting (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE plan_year (
        id       INTEGER PRIMARY KEY,
        year     INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
        district TEXT NOT NULL CHECK (length(trim(district)) > 0),
        title    TEXT NOT NULL DEFAULT '',
        source   TEXT NOT NULL DEFAULT ''
    ) STRICT;

    CREATE TABLE stage (
        id       INTEGER PRIMARY KEY,
        name     TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
        position INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE cluster (
        id           INTEGER PRIMARY KEY,
        plan_year_id INTEGER NOT NULL REFERENCES plan_year(id),
        parent_id    INTEGER REFERENCES cluster(id),
        kind         TEXT NOT NULL CHECK (kind IN ('system', 'tier', 'cluster', 'industry', 'enterprise')),
        name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
        scale_label  TEXT NOT NULL DEFAULT '',
        position     INTEGER NOT NULL DEFAULT 0,
        note         TEXT NOT NULL DEFAULT '',
        source       TEXT NOT NULL DEFAULT '',
        active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
    ) STRICT;
    CREATE INDEX cluster_parent ON cluster(parent_id, position);

    CREATE TABLE portfolio (
        id                   INTEGER PRIMARY KEY,
        plan_year_id         INTEGER NOT NULL REFERENCES plan_year(id),
        level                TEXT NOT NULL CHECK (level IN ('district', 'city')),
        name                 TEXT NOT NULL CHECK (length(trim(name)) > 0),
        declared_count       INTEGER CHECK (declared_count IS NULL OR declared_count >= 0),
        total_investment_wan INTEGER CHECK (total_investment_wan IS NULL OR total_investment_wan >= 0),
        position             INTEGER NOT NULL DEFAULT 0,
        source               TEXT NOT NULL DEFAULT '',
        UNIQUE (plan_year_id, level)
    ) STRICT;

    CREATE TABLE project (
        id                   INTEGER PRIMARY KEY,
        portfolio_id         INTEGER NOT NULL REFERENCES portfolio(id),
        name                 TEXT NOT NULL CHECK (length(trim(name)) > 0),
        name_key             TEXT NOT NULL,
        cluster_id           INTEGER REFERENCES cluster(id),
        location             TEXT NOT NULL DEFAULT '',
        responsible_unit     TEXT NOT NULL DEFAULT '',
        responsible_leader   TEXT NOT NULL DEFAULT '',
        total_investment_wan INTEGER CHECK (total_investment_wan IS NULL OR total_investment_wan >= 0),
        start_year           INTEGER CHECK (start_year IS NULL OR start_year BETWEEN 1990 AND 2100),
        finish_year          INTEGER CHECK (finish_year IS NULL OR finish_year BETWEEN 1990 AND 2100),
        description          TEXT NOT NULL DEFAULT '',
        note                 TEXT NOT NULL DEFAULT '',
        source               TEXT NOT NULL DEFAULT '',
        position             INTEGER NOT NULL DEFAULT 0,
        active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at           TEXT NOT NULL,
        CHECK (finish_year IS NULL OR start_year IS NULL OR finish_year >= start_year)
    ) STRICT;
    CREATE UNIQUE INDEX project_name_unique ON project(portfolio_id, name_key) WHERE active = 1;
    CREATE INDEX project_cluster ON project(cluster_id);

    CREATE TABLE milestone (
        id                INTEGER PRIMARY KEY,
        project_id        INTEGER NOT NULL REFERENCES project(id),
        name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
        planned_date      TEXT {_date_check('planned_date')},
        planned_precision TEXT NOT NULL DEFAULT 'day' CHECK (planned_precision IN ('day', 'month', 'year')),
        actual_date       TEXT {_date_check('actual_date')},
        position          INTEGER NOT NULL DEFAULT 0,
        note              TEXT NOT NULL DEFAULT '',
        source            TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX milestone_project ON milestone(project_id, position);

    CREATE TABLE indicator (
        id           INTEGER PRIMARY KEY,
        plan_year_id INTEGER NOT NULL REFERENCES plan_year(id),
        campaign     TEXT NOT NULL CHECK (length(trim(campaign)) > 0),
        name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
        name_key     TEXT NOT NULL,
        unit         TEXT NOT NULL,
        decimals     INTEGER NOT NULL DEFAULT 0 CHECK (decimals BETWEEN 0 AND 4),
        direction    TEXT NOT NULL DEFAULT 'higher' CHECK (direction IN ('higher', 'lower')),
        accumulation TEXT NOT NULL DEFAULT 'cumulative' CHECK (accumulation IN ('cumulative', 'point')),
        position     INTEGER NOT NULL DEFAULT 0,
        note         TEXT NOT NULL DEFAULT '',
        source       TEXT NOT NULL DEFAULT '',
        active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
    ) STRICT;
    CREATE UNIQUE INDEX indicator_name_unique ON indicator(plan_year_id, name_key) WHERE active = 1;

    -- Versioned targets: one row per revision, the newest effective one counts; old values stay.
    CREATE TABLE target (
        id             INTEGER PRIMARY KEY,
        plan_year_id   INTEGER NOT NULL REFERENCES plan_year(id),
        {_SUBJECT_COLUMNS}
        {_target_columns("'annual_plan', 'value', 'scale'")}
        {_ONE_SUBJECT},
        CHECK (metric = 'value' OR value IS NULL OR value >= 0)
    ) STRICT;
    CREATE INDEX target_portfolio ON target(portfolio_id, metric) WHERE portfolio_id IS NOT NULL;
    CREATE INDEX target_project ON target(project_id, metric) WHERE project_id IS NOT NULL;
    CREATE INDEX target_indicator ON target(indicator_id, metric) WHERE indicator_id IS NOT NULL;
    CREATE INDEX target_cluster ON target(cluster_id, metric) WHERE cluster_id IS NOT NULL;

    -- Append-only progress updates: a correction is a newer row for the same date, a retraction a
    -- row with retracted = 1; nothing is ever overwritten.
    CREATE TABLE progress_update (
        id            INTEGER PRIMARY KEY,
        {_SUBJECT_COLUMNS}
        metric        TEXT NOT NULL
                      CHECK (metric IN ('completed', 'stage', 'physical_progress', 'value', 'output', 'growth')),
        as_of         TEXT NOT NULL {_date_check('as_of')},
        value         INTEGER,
        text_value    TEXT,
        retracted     INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
        note          TEXT NOT NULL DEFAULT '',
        source        TEXT NOT NULL DEFAULT '',
        source_kind   TEXT NOT NULL CHECK (source_kind IN ('seed', 'typed', 'import', 'exchange', 'undo', 'cli')),
        recorded_at   TEXT NOT NULL,
        recorded_by   TEXT NOT NULL,
        supersedes_id INTEGER REFERENCES progress_update(id),
        {_ONE_SUBJECT},
        CHECK ((retracted = 1 AND value IS NULL AND text_value IS NULL)
               OR (retracted = 0 AND ((value IS NULL) <> (text_value IS NULL)))),
        CHECK (metric NOT IN ('completed', 'output', 'physical_progress') OR value IS NULL OR value >= 0)
    ) STRICT;
    CREATE INDEX update_portfolio ON progress_update(portfolio_id, metric, as_of) WHERE portfolio_id IS NOT NULL;
    CREATE INDEX update_project ON progress_update(project_id, metric, as_of) WHERE project_id IS NOT NULL;
    CREATE INDEX update_indicator ON progress_update(indicator_id, metric, as_of) WHERE indicator_id IS NOT NULL;
    CREATE INDEX update_cluster ON progress_update(cluster_id, metric, as_of) WHERE cluster_id IS NOT NULL;

    CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        user      TEXT NOT NULL,
        action    TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id INTEGER,
        summary   TEXT NOT NULL DEFAULT '',
        before    TEXT,
        after     TEXT
    ) STRICT;
    CREATE INDEX audit_entity ON audit_log(entity, entity_id);
    {_append_only('progress_update')}
    {_append_only('target')}
    {_append_only('audit_log')}
    """
    for statement in _split_sql(ddl):
        db.conn.execute(statement)
    defaults = [
        ("time_progress_mode", "month"),
        ("status_green_from", "0"),
        ("status_amber_from", "-10"),
    ]
    db.conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)", defaults)
    stages = ["前期", "开工", "主体施工", "设备安装", "试生产", "投产"]
    db.conn.executemany("INSERT INTO stage (name, position) VALUES (?, ?)",
                        [(name, i) for i, name in enumerate(stages)])


def _split_sql(script: str) -> list[str]:
    """Split a DDL script into statements (triggers keep their inner ';')."""
    statements, buf = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements


_SOURCE_KIND_CHECK = "CHECK (source_kind IN ('seed', 'typed', 'import', 'exchange', 'undo', 'cli'))"


@migration(2, "monthly recording: progress notes, project issues, accepted warnings")
def _v2(db: Database) -> None:
    ddl = f"""
    -- 本月进展: one text per project and reporting date; a correction is a newer row, a retraction withdraws.
    CREATE TABLE progress_note (
        id            INTEGER PRIMARY KEY,
        project_id    INTEGER NOT NULL REFERENCES project(id),
        as_of         TEXT NOT NULL {_date_check('as_of')},
        text          TEXT NOT NULL,
        retracted     INTEGER NOT NULL DEFAULT 0 CHECK (retracted IN (0, 1)),
        source_kind   TEXT NOT NULL {_SOURCE_KIND_CHECK},
        recorded_at   TEXT NOT NULL,
        recorded_by   TEXT NOT NULL,
        supersedes_id INTEGER REFERENCES progress_note(id),
        CHECK ((retracted = 1 AND text = '') OR (retracted = 0 AND length(trim(text)) > 0))
    ) STRICT;
    CREATE INDEX progress_note_project ON progress_note(project_id, as_of);

    -- 存在问题: a problem, who must solve it and by when. Each row is one version of a thread (thread_id is
    -- the first version's id, NULL on the first one); the newest version up to a date tells its state.
    CREATE TABLE project_issue (
        id          INTEGER PRIMARY KEY,
        thread_id   INTEGER REFERENCES project_issue(id),
        project_id  INTEGER NOT NULL REFERENCES project(id),
        as_of       TEXT NOT NULL {_date_check('as_of')},
        description TEXT NOT NULL CHECK (length(trim(description)) > 0),
        owner       TEXT NOT NULL DEFAULT '',
        deadline    TEXT {_date_check('deadline')},
        status      TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'withdrawn')),
        source_kind TEXT NOT NULL {_SOURCE_KIND_CHECK},
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX project_issue_project ON project_issue(project_id, as_of);
    CREATE INDEX project_issue_thread ON project_issue(thread_id);

    -- A plausibility warning the user saw and accepted, with the reason, beside the figure it was about.
    CREATE TABLE accepted_warning (
        id           INTEGER PRIMARY KEY,
        entity       TEXT NOT NULL CHECK (entity IN ('portfolio', 'project', 'indicator', 'cluster')),
        entity_id    INTEGER NOT NULL,
        as_of        TEXT NOT NULL {_date_check('as_of')},
        update_id    INTEGER REFERENCES progress_update(id),
        milestone_id INTEGER REFERENCES milestone(id),
        code         TEXT NOT NULL,
        message      TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        accepted_at  TEXT NOT NULL,
        accepted_by  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX accepted_warning_update ON accepted_warning(update_id) WHERE update_id IS NOT NULL;
    CREATE INDEX accepted_warning_entity ON accepted_warning(entity, entity_id, as_of);

    CREATE INDEX audit_at ON audit_log(at);
    {_append_only('progress_note')}
    {_append_only('project_issue')}
    {_append_only('accepted_warning')}
    """
    for statement in _split_sql(ddl):
        db.conn.execute(statement)
# -- migration 3: exchange between PCs --------------------------------------------------------------
# Every progress update and target revision gets a stable, globally unique uid: an exchange file names rows by it,
# so importing the same file twice (or receiving one's own rows back through the office) records nothing new.
# The uid is assigned by a trigger, so every code path that inserts a row gets one; an importer that must keep the
# sender's uid puts it in uid_override for the one insert that follows (db/ledger.py keep_uid()).
_UID_TABLES = ("progress_update", "target")


@migration(3, "exchange: stable uids, import ledger, site identity")
def _v3(db: Database) -> None:
    ddl = ["""
    CREATE TABLE uid_override (
        entity TEXT PRIMARY KEY CHECK (entity IN ('progress_update', 'target')),
        uid    TEXT NOT NULL CHECK (length(uid) BETWEEN 8 AND 64)
    ) STRICT;
    """]
    for table in _UID_TABLES:
        db.conn.execute("ALTER TABLE " + table + " ADD COLUMN uid TEXT")
        # The fill below is the one UPDATE these append-only tables ever see.
        db.conn.execute("DROP TRIGGER IF EXISTS " + table + "_append_only_update")
        db.conn.execute("UPDATE " + table + " SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL")
        ddl.append(f"""
        CREATE UNIQUE INDEX {table}_uid ON {table}(uid);
        -- Still append-only: the only change allowed is giving a fresh row (uid still NULL) its uid.
        CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}
        WHEN NOT (OLD.uid IS NULL AND NEW.uid IS NOT NULL)
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a new row instead'); END;
        CREATE TRIGGER {table}_assign_uid AFTER INSERT ON {table} WHEN NEW.uid IS NULL
        BEGIN
            UPDATE {table} SET uid = coalesce((SELECT uid FROM uid_override WHERE entity = '{table}'),
                                               lower(hex(randomblob(16))))
            WHERE id = NEW.id;
            DELETE FROM uid_override WHERE entity = '{table}';
        END;
        """)
    ddl.append("""
    -- One row per applied import (a 调度表 file or an exchange file), with who sent it and who applied it.
    CREATE TABLE import_batch (
        id             INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('xlsx', 'exchange')),
        file_name      TEXT NOT NULL,
        file_sha256    TEXT NOT NULL CHECK (length(file_sha256) = 64),
        sender_site_id TEXT NOT NULL DEFAULT '',
        sender_name    TEXT NOT NULL DEFAULT '',
        sender_user    TEXT NOT NULL DEFAULT '',
        sender_host    TEXT NOT NULL DEFAULT '',
        file_created_at TEXT NOT NULL DEFAULT '',
        imported_at    TEXT NOT NULL,
        imported_by    TEXT NOT NULL,
        summary        TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX import_batch_sha ON import_batch(file_sha256);

    -- Every row an exchange file brought, by its uid: what became of it and where it first came from.
    -- decision: 'recorded' (local_id is the new row), 'same' (already held that value), 'kept_mine' (a conflict
    -- the user resolved for the local value). A uid seen once is never asked about again.
    CREATE TABLE exchange_row (
        uid                TEXT PRIMARY KEY,
        entity             TEXT NOT NULL CHECK (entity IN ('progress_update', 'target')),
        batch_id           INTEGER NOT NULL REFERENCES import_batch(id),
        local_id           INTEGER,
        decision           TEXT NOT NULL CHECK (decision IN ('recorded', 'same', 'kept_mine')),
        origin_site_id     TEXT NOT NULL,
        origin_site_name   TEXT NOT NULL DEFAULT '',
        origin_user        TEXT NOT NULL DEFAULT '',
        origin_recorded_at TEXT NOT NULL DEFAULT '',
        origin_source_kind TEXT NOT NULL DEFAULT '',
        origin_source      TEXT NOT NULL DEFAULT '',
        CHECK ((decision = 'recorded') = (local_id IS NOT NULL))
    ) STRICT;
    CREATE INDEX exchange_row_local ON exchange_row(entity, local_id) WHERE local_id IS NOT NULL;
    -- Creating projects one by one asks for the next position in the portfolio: a seek, not a scan, at 10,000.
    CREATE INDEX project_position ON project(portfolio_id, position);
    """)
    for chunk in ddl:
        for statement in _split_sql(chunk):
            db.conn.execute(statement)
    # This database's identity as a sender of exchange files (a copied file keeps it: see docs/exchange-format.md).
    db.conn.execute("INSERT OR IGNORE INTO setting (key, value) VALUES ('site_id', lower(hex(randomblob(16))))")


_TARGET_COLUMNS = ("id, plan_year_id, portfolio_id, project_id, indicator_id, cluster_id, metric, value,"
                   " effective_from, reason, doc_no, source, revised_at, revised_by, uid")


@migration(4, "cluster annual output targets (a tier's scale is a level, not a target)")
def _v4(db: Database) -> None:
    # SQLite cannot widen a CHECK in place: the target table is rebuilt with 'annual_output' allowed, its rows
    # copied unchanged (ids and uids kept), then its indexes and append-only triggers made again. Nothing
    # references target by foreign key, and DROP TABLE fires no DELETE trigger.
    ddl = f"""
    CREATE TABLE target_v4 (
        id             INTEGER PRIMARY KEY,
        plan_year_id   INTEGER NOT NULL REFERENCES plan_year(id),
        {_SUBJECT_COLUMNS}
        {_target_columns("'annual_plan', 'value', 'scale', 'annual_output'")}
        uid            TEXT,
        {_ONE_SUBJECT},
        CHECK (metric = 'value' OR value IS NULL OR value >= 0)
    ) STRICT;
    INSERT INTO target_v4 ({_TARGET_COLUMNS}) SELECT {_TARGET_COLUMNS} FROM target;
    DROP TABLE target;
    ALTER TABLE target_v4 RENAME TO target;
    CREATE INDEX target_portfolio ON target(portfolio_id, metric) WHERE portfolio_id IS NOT NULL;
    CREATE INDEX target_project ON target(project_id, metric) WHERE project_id IS NOT NULL;
    CREATE INDEX target_indicator ON target(indicator_id, metric) WHERE indicator_id IS NOT NULL;
    CREATE INDEX target_cluster ON target(cluster_id, metric) WHERE cluster_id IS NOT NULL;
    CREATE UNIQUE INDEX target_uid ON target(uid);
    CREATE TRIGGER target_append_only_update BEFORE UPDATE ON target
    WHEN NOT (OLD.uid IS NULL AND NEW.uid IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'target is append-only: record a new row instead'); END;
    CREATE TRIGGER target_append_only_delete BEFORE DELETE ON target
    BEGIN SELECT RAISE(ABORT, 'target is append-only: rows are never deleted'); END;
    CREATE TRIGGER target_assign_uid AFTER INSERT ON target WHEN NEW.uid IS NULL
    BEGIN
        UPDATE target SET uid = coalesce((SELECT uid FROM uid_override WHERE entity = 'target'),
                                         lower(hex(randomblob(16))))
        WHERE id = NEW.id;
        DELETE FROM uid_override WHERE entity = 'target';
    END;
    """
    for statement in _split_sql(ddl):
        db.conn.execute(statement)
# -- migration 5: 项目代码 ------------------------------------------------------------------------------------
# The code a project platform identifies a project by (the national 投资项目在线审批监管平台 code, or a local one).
# Imports match rows by it first. Unique among a plan year's active projects: db/projects.py checks that inside
# the write transaction (a partial index cannot see the plan year); the index makes the look-up a seek.


@migration(5, "project code (项目代码)")
def _v5(db: Database) -> None:
    db.conn.execute("ALTER TABLE project ADD COLUMN code TEXT CHECK (code IS NULL OR length(code) BETWEEN 1 AND 40)")
    db.conn.execute("CREATE INDEX project_code ON project(code) WHERE code IS NOT NULL")


# -- migration 6: plan years that follow one another ------------------------------------------------------
# lineage: a project carried into the next plan year is a new row (its year's portfolio, targets, figures) sharing
# the lineage of the row it came from, so its history runs across years. plan_year_event: 年度结账 and reopening,
# appended in order; a year is closed when its latest event is a close.


@migration(6, "plan years: project lineage, year close/reopen")
def _v6(db: Database) -> None:
    ddl = f"""
    ALTER TABLE project ADD COLUMN lineage TEXT;
    UPDATE project SET lineage = lower(hex(randomblob(8))) WHERE lineage IS NULL;
    CREATE INDEX project_lineage ON project(lineage);
    CREATE TABLE plan_year_event (
        id           INTEGER PRIMARY KEY,
        plan_year_id INTEGER NOT NULL REFERENCES plan_year(id),
        action       TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
        reason       TEXT NOT NULL DEFAULT '',
        at           TEXT NOT NULL,
        by           TEXT NOT NULL
    ) STRICT;
    CREATE INDEX plan_year_event_of ON plan_year_event(plan_year_id, id);
    {_append_only('plan_year_event')}
    """
    for statement in _split_sql(ddl):
        db.conn.execute(statement)

# -- migration 7: the monthly collection cycle (下发 → 报送 → 审核) ---------------------------------------
# dispatch: one row per 填报表 written for a 责任单位 and 报告期 (its token and checksum recognise the file when it
# comes back). submission: one row per returned 填报表, its rows and warnings as JSON; never changed. Its status is
# derived from submission_event rows (pass at a level, return, replace), appended in order. Self-contained: it
# reads no table added after migration 5.


@migration(7, "collection cycle: dispatched forms, submissions, review events")
def _v7(db: Database) -> None:
    ddl = f"""
    CREATE TABLE dispatch (
        id           INTEGER PRIMARY KEY,
        token        TEXT NOT NULL UNIQUE CHECK (length(token) BETWEEN 16 AND 64),
        plan_year_id INTEGER NOT NULL REFERENCES plan_year(id),
        unit         TEXT NOT NULL CHECK (length(unit) > 0),
        period       TEXT NOT NULL {_date_check('period')},
        project_ids  TEXT NOT NULL,
        checksum     TEXT NOT NULL CHECK (length(checksum) = 64),
        file_name    TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        created_by   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX dispatch_period ON dispatch(period, unit);

    CREATE TABLE submission (
        id          INTEGER PRIMARY KEY,
        dispatch_id INTEGER NOT NULL REFERENCES dispatch(id),
        unit        TEXT NOT NULL,
        period      TEXT NOT NULL {_date_check('period')},
        levels      INTEGER NOT NULL CHECK (levels BETWEEN 0 AND 2),
        file_name   TEXT NOT NULL,
        file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
        rows        TEXT NOT NULL,
        warnings    TEXT NOT NULL,
        received_at TEXT NOT NULL,
        received_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX submission_period ON submission(period, unit);

    CREATE TABLE submission_event (
        id            INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submission(id),
        action        TEXT NOT NULL CHECK (action IN ('pass', 'return', 'replace')),
        level         INTEGER NOT NULL DEFAULT 0,
        note          TEXT NOT NULL DEFAULT '',
        at            TEXT NOT NULL,
        by            TEXT NOT NULL
    ) STRICT;
    CREATE INDEX submission_event_of ON submission_event(submission_id);
    {_append_only('dispatch')}
    {_append_only('submission')}
    {_append_only('submission_event')}
    """
    for statement in _split_sql(ddl):
        db.conn.execute(statement)


# -- migration 9: 问题督办 -------------------------------------------------------------------------------------
# What the 问题清单 adds to a 存在问题 thread (project_issue): its 类别, the note written when it was resolved and
# whether it was 销号 (closed after checking). One row per project_issue version written by db/problems.py; a
# version written elsewhere (the record dialog) has none and inherits the thread's newest category.
# problem_category holds the user's edits to the category list (added or removed names), newest row per name wins.


@migration(9, "problem register (问题督办)")
def _v9(db: Database) -> None:
    ddl = """
    CREATE TABLE problem_detail (
        id        INTEGER PRIMARY KEY,
        issue_id  INTEGER NOT NULL UNIQUE REFERENCES project_issue(id),
        category  TEXT NOT NULL CHECK (length(trim(category)) BETWEEN 1 AND 20),
        note      TEXT NOT NULL DEFAULT '',
        closed    INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1))
    ) STRICT;
    -- A problem version that came in an exchange file: the uid it has everywhere (versions written here are
    -- known by their site id and row id, db/exchange_problems.py).
    CREATE TABLE problem_exchange (
        issue_id  INTEGER PRIMARY KEY REFERENCES project_issue(id),
        uid       TEXT NOT NULL UNIQUE,
        batch_id  INTEGER REFERENCES import_batch(id)
    ) STRICT;
    CREATE TABLE problem_category (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 20),
        active      INTEGER NOT NULL CHECK (active IN (0, 1)),
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    ) STRICT;
    -- 现场照片: a site photo of a project for a reporting date, stored in the file (JPEG, long side <= 1600 px,
    -- decoded, downscaled and recompressed by the desktop before it gets here). uid: the same photo everywhere.
    CREATE TABLE project_photo (
        id          INTEGER PRIMARY KEY,
        uid         TEXT NOT NULL UNIQUE,
        project_id  INTEGER NOT NULL REFERENCES project(id),
        as_of       TEXT NOT NULL CHECK (as_of GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        caption     TEXT NOT NULL DEFAULT '',
        width       INTEGER NOT NULL CHECK (width BETWEEN 1 AND 1600),
        height      INTEGER NOT NULL CHECK (height BETWEEN 1 AND 1600),
        bytes       INTEGER NOT NULL CHECK (bytes > 0),
        image       BLOB NOT NULL CHECK (length(image) = bytes),
        sha256      TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX project_photo_project ON project_photo(project_id, as_of);
    """ + _append_only("problem_detail") + _append_only("problem_category") + _append_only("problem_exchange") \
        + _append_only("project_photo")
    for statement in _split_sql(ddl):
        db.conn.execute(statement)




# -- migration 10: 单位名册 ------------------------------------------------------------------------------------
# The public keys of the units whose signed files this database trusts (db/identity.py). A row is never deleted and
# changes once at most: revoking fills the revoked_* columns. The database's own key pair lives in `setting`.


@migration(10, "unit roster (单位名册)")
def _v10(db: Database) -> None:
    ddl = """
    CREATE TABLE unit_key (
        id            INTEGER PRIMARY KEY,
        unit          TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 200),
        public_key    TEXT NOT NULL CHECK (length(public_key) = 44),
        fingerprint   TEXT NOT NULL UNIQUE,
        enrolled_by   TEXT NOT NULL,
        enrolled_at   TEXT NOT NULL,
        revoked_at    TEXT,
        revoked_by    TEXT,
        revoke_reason TEXT,
        role          TEXT NOT NULL DEFAULT 'unit' CHECK (role IN ('unit', 'office'))
    ) STRICT;
    CREATE UNIQUE INDEX unit_key_active ON unit_key(unit) WHERE revoked_at IS NULL;
    CREATE TRIGGER unit_key_no_delete BEFORE DELETE ON unit_key
    BEGIN SELECT RAISE(ABORT, 'unit_key rows are never deleted: revoke instead'); END;
    CREATE TRIGGER unit_key_revoke_only BEFORE UPDATE ON unit_key
    WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL OR NEW.id IS NOT OLD.id OR NEW.unit IS NOT OLD.unit
      OR NEW.public_key IS NOT OLD.public_key OR NEW.fingerprint IS NOT OLD.fingerprint
      OR NEW.enrolled_by IS NOT OLD.enrolled_by OR NEW.enrolled_at IS NOT OLD.enrolled_at OR NEW.role IS NOT OLD.role
    BEGIN SELECT RAISE(ABORT, 'unit_key rows change only once, when revoked'); END;
    """
    for statement in _split_sql(ddl):
        db.conn.execute(statement)


SCHEMA_VERSION = max(v for v, _, _ in _MIGRATIONS)


def migrate(db: Database) -> list[int]:
    """Run every migration above the file's user_version, each in one transaction; returns those run."""
    done = []
    for version, _name, step in sorted(_MIGRATIONS):
        current = db.schema_version
        if version <= current:
            continue
        with db.transaction("schema"):
            step(db)
            # Both pragmas are written in the same transaction as the step, so a crash leaves neither.
            db.conn.execute("PRAGMA application_id = " + str(int(APPLICATION_ID)))
            db.conn.execute("PRAGMA user_version = " + str(int(version)))
        done.append(version)
    return done
