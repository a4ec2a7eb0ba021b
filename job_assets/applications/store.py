"""The job seeker's own store: application statuses, history, interviews and offers in SQLite.

Lives at ``get_paths().user_store_path``, outside the data root, so no pipeline run, backfill,
dbt rebuild or ``make clean`` touches it. WAL mode and a busy timeout let the CLI write while the
pipeline reads; every write is one short ``BEGIN IMMEDIATE`` transaction with bound parameters.
The pipeline reads statuses through ``application_statuses`` on a read-only connection.

Timestamps are stored as ISO-8601 text in UTC (``2026-11-20T14:03:00+00:00``).
Pure module: no Dagster import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from job_assets.settings import get_paths
from job_assets.storage import atomic_path

STATUSES: tuple[str, ...] = (
    "saved",
    "preparing_to_apply",
    "applied",
    "interviewing",
    "offer",
    "accepted",
    "rejected",
    "withdrawn",
    "archived",
)
# Allowed moves; the ``None`` key lists the states a job may start in when first tracked.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset(
        {"saved", "preparing_to_apply", "applied", "interviewing", "offer", "rejected", "archived"}
    ),
    "saved": frozenset({"preparing_to_apply", "applied", "withdrawn", "archived"}),
    "preparing_to_apply": frozenset({"saved", "applied", "withdrawn", "archived"}),
    "applied": frozenset({"interviewing", "offer", "rejected", "withdrawn", "archived"}),
    "interviewing": frozenset({"offer", "rejected", "withdrawn", "archived"}),
    "offer": frozenset({"interviewing", "accepted", "rejected", "withdrawn", "archived"}),
    "accepted": frozenset({"archived"}),
    "rejected": frozenset({"archived"}),
    "withdrawn": frozenset({"archived"}),
    "archived": frozenset(),
}
# Entering one of these sets ``applied_at`` if it is not set yet.
APPLIED_OR_LATER: frozenset[str] = frozenset({"applied", "interviewing", "offer", "accepted"})
# An employer's answer after applying (withdrawn and archived are the seeker's own doing).
RESPONSE_STATUSES: frozenset[str] = frozenset({"interviewing", "offer", "accepted", "rejected"})
INTERVIEW_KINDS: tuple[str, ...] = ("phone", "video", "onsite")
BACKUP_FORMAT = "jobs-applications-backup"

STATUS_SCHEMA: dict[str, pl.DataType] = {
    "job_id": pl.String(),
    "application_status": pl.String(),
    "applied_at": pl.Datetime("us", "UTC"),
    "status_updated_at": pl.Datetime("us", "UTC"),
}

_SCHEMA_SQL = f"""
CREATE TABLE IF NOT EXISTS applications (
    job_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
    campaign_id TEXT,
    title TEXT,
    company_name TEXT,
    apply_url TEXT,
    applied_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    job_id TEXT,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS history_job ON history (job_id, id);
CREATE TABLE IF NOT EXISTS interviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in INTERVIEW_KINDS)})),
    with_name TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    salary REAL NOT NULL,
    currency TEXT NOT NULL,
    deadline TEXT,
    created_at TEXT NOT NULL
);
PRAGMA user_version = 1;
"""
TABLES: dict[str, tuple[str, ...]] = {
    "applications": (
        "job_id",
        "status",
        "campaign_id",
        "title",
        "company_name",
        "apply_url",
        "applied_at",
        "created_at",
        "updated_at",
        "note",
    ),
    "history": ("id", "at", "job_id", "kind", "from_status", "to_status", "note", "payload"),
    "interviews": ("id", "job_id", "at", "kind", "with_name", "notes", "created_at"),
    "offers": ("id", "job_id", "salary", "currency", "deadline", "created_at"),
}
JOB_INFO_KEYS: tuple[str, ...] = ("campaign_id", "title", "company_name", "apply_url")


class StoreError(ValueError):
    """A request the store refuses (the message is meant for people)."""


class InvalidTransition(StoreError):
    """A status change the transition table does not allow."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_iso(value: dt.datetime) -> str:
    """UTC ISO-8601 text, seconds precision; naive datetimes are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def check_status(status: str) -> str:
    """The status, normalized; raise ``StoreError`` naming the valid ones."""
    s = status.strip().lower().replace("-", "_").replace(" ", "_")
    if s not in STATUSES:
        raise StoreError(f"unknown status '{status}' (valid: {', '.join(STATUSES)})")
    return s


def check_transition(current: str | None, new: str) -> None:
    """Raise ``InvalidTransition`` unless ``current -> new`` is in ``TRANSITIONS``."""
    if current == new:
        raise InvalidTransition(f"already '{new}'")
    allowed = TRANSITIONS[current]
    if new not in allowed:
        where = f"from '{current}'" if current else "for a job not tracked yet"
        options = ", ".join(s for s in STATUSES if s in allowed) or "nothing (final)"
        raise InvalidTransition(f"cannot move to '{new}' {where}; allowed: {options}")


class ApplicationStore:
    """Read/write access to the SQLite store; one short connection per call."""

    def __init__(
        self, path: Path | None = None, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self.path = Path(path) if path is not None else get_paths().user_store_path
        self.clock = clock
        self._ready = False

    # -- connections ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA busy_timeout = 10000")
        if not self._ready:
            con.execute("PRAGMA journal_mode = WAL")
            con.executescript(_SCHEMA_SQL)
            self._ready = True
        return con

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taken up front so read-then-write cannot race."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    def _now(self, at: dt.datetime | None = None) -> str:
        return to_iso(at or self.clock())

    @staticmethod
    def _event(
        con: sqlite3.Connection,
        at: str,
        job_id: str | None,
        kind: str,
        from_status: str | None = None,
        to_status: str | None = None,
        note: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        con.execute(
            "INSERT INTO history (at, job_id, kind, from_status, to_status, note, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                at,
                job_id,
                kind,
                from_status,
                to_status,
                note,
                json.dumps(payload, ensure_ascii=False, default=str) if payload else None,
            ),
        )

    # -- reads ---------------------------------------------------------------------------

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The application row for ``job_id`` as a dict, or None when not tracked."""
        with self._read() as con:
            row = con.execute("SELECT * FROM applications WHERE job_id = ?", (job_id,)).fetchone()
        return dict(row) if row else None

    def job_ids(self) -> list[str]:
        with self._read() as con:
            return [r[0] for r in con.execute("SELECT job_id FROM applications ORDER BY job_id")]

    def _frame(self, table: str, where: str = "", params: tuple[Any, ...] = ()) -> pl.DataFrame:
        cols = TABLES[table]
        order = "updated_at DESC, job_id" if table == "applications" else "id"
        with self._read() as con:
            rows = con.execute(
                f"SELECT {', '.join(cols)} FROM {table} {where} ORDER BY {order}", params
            ).fetchall()
        schema = {
            c: (pl.Float64 if c == "salary" else pl.Int64 if c == "id" else pl.String) for c in cols
        }
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")

    def applications(self, status: str | None = None) -> pl.DataFrame:
        """Tracked applications (optionally one status), most recently updated first."""
        if status is None:
            return self._frame("applications")
        return self._frame("applications", "WHERE status = ?", (check_status(status),))

    def history(self, job_id: str | None = None) -> pl.DataFrame:
        """Every recorded change, oldest first (optionally for one job)."""
        if job_id is None:
            return self._frame("history")
        return self._frame("history", "WHERE job_id = ?", (job_id,))

    def interviews(self, job_id: str | None = None) -> pl.DataFrame:
        if job_id is None:
            return self._frame("interviews")
        return self._frame("interviews", "WHERE job_id = ?", (job_id,))

    def offers(self, job_id: str | None = None) -> pl.DataFrame:
        if job_id is None:
            return self._frame("offers")
        return self._frame("offers", "WHERE job_id = ?", (job_id,))

    # -- writes --------------------------------------------------------------------------

    def set_status(
        self,
        job_id: str,
        status: str,
        *,
        note: str | None = None,
        job_info: Mapping[str, Any] | None = None,
        at: dt.datetime | None = None,
        applied_at: dt.datetime | None = None,
    ) -> tuple[str | None, str]:
        """Move ``job_id`` to ``status`` (tracking it if new); returns (from, to).

        ``job_info`` fills campaign_id/title/company_name/apply_url (kept when already set).
        ``applied_at`` is recorded on first entry into applied or later (default: now).
        Raises ``StoreError`` for an unknown status, ``InvalidTransition`` for a disallowed move.
        """
        new = check_status(status)
        now = self._now(at)
        info = {k: (job_info or {}).get(k) for k in JOB_INFO_KEYS}
        with self._tx() as con:
            row = con.execute(
                "SELECT status, applied_at FROM applications WHERE job_id = ?", (job_id,)
            ).fetchone()
            current = row["status"] if row else None
            check_transition(current, new)
            applied = row["applied_at"] if row else None
            if applied is None and new in APPLIED_OR_LATER:
                applied = to_iso(applied_at) if applied_at else now
            if row is None:
                con.execute(
                    "INSERT INTO applications (job_id, status, campaign_id, title, company_name, "
                    "apply_url, applied_at, created_at, updated_at, note) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (job_id, new, *(info[k] for k in JOB_INFO_KEYS), applied, now, now, note),
                )
            else:
                con.execute(
                    "UPDATE applications SET status = ?, applied_at = ?, updated_at = ?, "
                    "note = coalesce(?, note), campaign_id = coalesce(campaign_id, ?), "
                    "title = coalesce(title, ?), company_name = coalesce(company_name, ?), "
                    "apply_url = coalesce(apply_url, ?) WHERE job_id = ?",
                    (new, applied, now, note, *(info[k] for k in JOB_INFO_KEYS), job_id),
                )
            self._event(con, now, job_id, "status", current, new, note)
        return current, new

    def add_interview(
        self,
        job_id: str,
        at: dt.datetime,
        kind: str,
        with_name: str | None = None,
        notes: str | None = None,
    ) -> int:
        """Record an interview; a job still 'applied' moves to 'interviewing'. Returns its id."""
        if kind not in INTERVIEW_KINDS:
            raise StoreError(
                f"unknown interview kind '{kind}' (valid: {', '.join(INTERVIEW_KINDS)})"
            )
        now = self._now()
        with self._tx() as con:
            status = self._require(con, job_id)
            cur = con.execute(
                "INSERT INTO interviews (job_id, at, kind, with_name, notes, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (job_id, to_iso(at), kind, with_name, notes, now),
            )
            payload = {"at": to_iso(at), "kind": kind, "with": with_name}
            self._event(con, now, job_id, "interview", status, status, notes, payload)
            if status == "applied":
                self._move(con, job_id, status, "interviewing", now, "interview scheduled")
        return int(cur.lastrowid or 0)

    def add_offer(
        self, job_id: str, salary: float, currency: str, deadline: dt.date | None = None
    ) -> int:
        """Record an offer; a job 'applied' or 'interviewing' moves to 'offer'. Returns its id."""
        if salary <= 0:
            raise StoreError("offer salary must be positive")
        currency = currency.strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise StoreError(f"currency '{currency}' is not an ISO 4217 code (e.g. CAD)")
        now = self._now()
        with self._tx() as con:
            status = self._require(con, job_id)
            cur = con.execute(
                "INSERT INTO offers (job_id, salary, currency, deadline, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (job_id, float(salary), currency, deadline.isoformat() if deadline else None, now),
            )
            payload = {"salary": salary, "currency": currency, "deadline": deadline}
            self._event(con, now, job_id, "offer", status, status, None, payload)
            if status in ("applied", "interviewing"):
                self._move(con, job_id, status, "offer", now, "offer received")
        return int(cur.lastrowid or 0)

    def record_event(
        self,
        kind: str,
        *,
        job_id: str | None = None,
        note: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Append a free-form event (e.g. a campaign edit, ``job_id`` None) to the history."""
        with self._tx() as con:
            self._event(con, self._now(), job_id, kind, None, None, note, payload)

    def _require(self, con: sqlite3.Connection, job_id: str) -> str:
        row = con.execute("SELECT status FROM applications WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise StoreError(f"job '{job_id}' is not tracked yet: `jobs apply` or `jobs status` it")
        return str(row["status"])

    def _move(
        self, con: sqlite3.Connection, job_id: str, current: str, new: str, now: str, note: str
    ) -> None:
        check_transition(current, new)
        con.execute(
            "UPDATE applications SET status = ?, updated_at = ?, "
            "applied_at = coalesce(applied_at, ?) WHERE job_id = ?",
            (new, now, now if new in APPLIED_OR_LATER else None, job_id),
        )
        self._event(con, now, job_id, "status", current, new, note)

    # -- backup --------------------------------------------------------------------------

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, as lists of dicts."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self._read() as con:
            for table, cols in TABLES.items():
                rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid")
                out[table] = [dict(r) for r in rows]
        return out

    def restore(self, tables: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, int]:
        """Replace every table with ``tables`` in one transaction; returns row counts."""
        counts: dict[str, int] = {}
        with self._tx() as con:
            for table, cols in TABLES.items():
                rows = tables.get(table) or []
                con.execute(f"DELETE FROM {table}")
                con.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' for _ in cols)})",
                    [tuple(r.get(c) for c in cols) for r in rows],
                )
                counts[table] = len(rows)
        return counts


# ------------------------------------------------------------------------------------------
# Read-only view for the pipeline
# ------------------------------------------------------------------------------------------


def _parse_ts(col: str) -> pl.Expr:
    return pl.col(col).str.to_datetime(time_unit="us", time_zone="UTC", strict=False)


def application_statuses(store_path: Path | None = None) -> pl.DataFrame:
    """job_id, application_status, applied_at, status_updated_at (UTC) for every tracked job.

    Opens the store read-only (``mode=ro``), so a pipeline read never blocks or alters it; an
    empty frame with the same schema when the store does not exist.
    """
    path = Path(store_path) if store_path is not None else get_paths().user_store_path
    empty = pl.DataFrame(schema=STATUS_SCHEMA)
    if not path.exists():
        return empty
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        con.execute("PRAGMA busy_timeout = 10000")
        try:
            rows = con.execute(
                "SELECT job_id, status, applied_at, updated_at FROM applications"
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return empty
            raise
    finally:
        con.close()
    frame = pl.DataFrame(
        rows,
        schema={c: pl.String for c in ("job_id", "application_status", "applied_at", "u")},
        orient="row",
    )
    return frame.select(
        "job_id",
        "application_status",
        _parse_ts("applied_at"),
        _parse_ts("u").alias("status_updated_at"),
    )


# ------------------------------------------------------------------------------------------
# Stats
# ------------------------------------------------------------------------------------------

STATS_SCHEMA: dict[str, pl.DataType] = {
    "group": pl.String(),
    "saved": pl.UInt32(),
    "applied": pl.UInt32(),
    "interviewing": pl.UInt32(),
    "offer": pl.UInt32(),
    "responded": pl.UInt32(),
    "response_rate": pl.Float64(),
    "interview_rate": pl.Float64(),
    "offer_rate": pl.Float64(),
    "median_days_to_response": pl.Float64(),
}


def funnel_stats(
    applications: pl.DataFrame, history: pl.DataFrame, by: str | None = None
) -> pl.DataFrame:
    """The funnel and rates, overall (``by=None``) or per ``campaign`` / ``source``.

    Stages are cumulative: ``saved`` counts every tracked job, ``applied`` those with an
    ``applied_at``, ``interviewing`` those that ever reached interviewing/offer/accepted, ``offer``
    those that reached offer/accepted. ``responded``: applied jobs that later reached interviewing,
    offer, accepted or rejected (withdrawn and archived are the seeker's doing). Rates are over
    ``applied`` (null when nothing was applied to); days are from applied_at to the first answer.
    """
    moves = history.filter(pl.col("kind") == "status").select(
        "job_id", "to_status", _parse_ts("at").alias("at")
    )
    per_job = moves.group_by("job_id").agg(
        pl.col("to_status").alias("reached"),
        pl.col("at")
        .filter(pl.col("to_status").is_in(list(RESPONSE_STATUSES)))
        .min()
        .alias("first_response_at"),
    )
    if by == "campaign":
        group = pl.col("campaign_id").fill_null("(none)")
    elif by == "source":
        group = pl.col("job_id").str.split(":").list.first()
    elif by is None:
        group = pl.lit("all")
    else:
        raise ValueError(f"unknown grouping '{by}' (campaign, source)")
    jobs = applications.select(
        "job_id", "status", "campaign_id", _parse_ts("applied_at").alias("applied_at")
    ).join(per_job, on="job_id", how="left")
    reached = (
        pl.col("reached")
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))
        .list.concat(pl.concat_list(pl.col("status")))
    )

    def ever(states: set[str]) -> pl.Expr:
        return reached.list.eval(pl.element().is_in(list(states))).list.any()

    applied = pl.col("applied_at").is_not_null()
    responded = (
        applied
        & pl.col("first_response_at").is_not_null()
        & (pl.col("first_response_at") >= pl.col("applied_at"))
    )
    facts = jobs.select(
        group.alias("group"),
        applied.alias("is_applied"),
        (applied & ever({"interviewing", "offer", "accepted"})).alias("is_interviewing"),
        (applied & ever({"offer", "accepted"})).alias("is_offer"),
        responded.alias("is_responded"),
        pl.when(responded)
        .then((pl.col("first_response_at") - pl.col("applied_at")).dt.total_seconds() / 86400)
        .alias("days"),
    )
    n_applied = pl.col("is_applied").sum()

    def rate(col: str) -> pl.Expr:
        return pl.when(n_applied > 0).then(pl.col(col).sum() / n_applied)

    out = (
        facts.group_by("group")
        .agg(
            pl.len().alias("saved"),
            n_applied.alias("applied"),
            pl.col("is_interviewing").sum().alias("interviewing"),
            pl.col("is_offer").sum().alias("offer"),
            pl.col("is_responded").sum().alias("responded"),
            rate("is_responded").alias("response_rate"),
            rate("is_interviewing").alias("interview_rate"),
            rate("is_offer").alias("offer_rate"),
            pl.col("days").median().alias("median_days_to_response"),
        )
        .sort("group")
    )
    if out.is_empty() and by is None:
        out = pl.DataFrame([{"group": "all"}], schema={"group": pl.String})
        out = out.with_columns(
            *(
                pl.lit(0, dtype=pl.UInt32).alias(c)
                for c in ("saved", "applied", "interviewing", "offer", "responded")
            ),
            *(
                pl.lit(None, dtype=pl.Float64).alias(c)
                for c in (
                    "response_rate",
                    "interview_rate",
                    "offer_rate",
                    "median_days_to_response",
                )
            ),
        )
    return out.cast(STATS_SCHEMA)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Backup
# ------------------------------------------------------------------------------------------


def export_backup(
    store_path: Path | None = None, campaigns_path: Path | None = None
) -> dict[str, Any]:
    """Everything the seeker owns as one JSON-ready dict: all four tables plus the text of their
    campaigns file (None when they never edited campaigns)."""
    paths = get_paths()
    store = ApplicationStore(store_path)
    cpath = Path(campaigns_path) if campaigns_path is not None else paths.user_campaigns_path
    data: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "version": 1,
        "exported_at": to_iso(utc_now()),
    }
    data.update(store.dump())
    data["campaigns_yml"] = cpath.read_text(encoding="utf-8") if cpath.exists() else None
    return data


def import_backup(
    data: Mapping[str, Any], store_path: Path | None = None, campaigns_path: Path | None = None
) -> dict[str, int]:
    """Restore a backup from ``export_backup``: replaces every table (one transaction) and the
    campaigns file when the backup holds one. Returns row counts per table."""
    if not isinstance(data, Mapping) or data.get("format") != BACKUP_FORMAT:
        raise StoreError("not an applications backup (made by `jobs export --what applications`)")
    for table in TABLES:
        rows = data.get(table, [])
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise StoreError(f"backup table '{table}' must be a list of records")
    bad = {r.get("status") for r in data.get("applications", [])} - set(STATUSES)
    if bad:
        raise StoreError(f"backup holds unknown statuses: {', '.join(map(str, sorted(bad)))}")
    counts = ApplicationStore(store_path).restore(data)
    text = data.get("campaigns_yml")
    if isinstance(text, str):
        cpath = (
            Path(campaigns_path) if campaigns_path is not None else get_paths().user_campaigns_path
        )
        with atomic_path(cpath) as tmp:
            tmp.write_text(text, encoding="utf-8")
        counts["campaigns_yml"] = 1
    return counts
