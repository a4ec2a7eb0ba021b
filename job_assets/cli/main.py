"""``jobs``: the job seeker's command line.

Reads only the published Parquet snapshots and the lake (never the DuckDB warehouse a run may
hold) and writes only the user's own store and campaigns file. Every error a person can cause is
caught in one place (``_Group.invoke``) and printed as one red line, exit code 1 or 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from job_assets.applications.store import (
    INTERVIEW_KINDS,
    STATUSES,
    ApplicationStore,
    StoreError,
    check_status,
    export_backup,
    funnel_stats,
    import_backup,
)
from job_assets.cli.campaign_cmd import campaign_app, load_config, unknown_campaign
from job_assets.cli.data import (
    HIDDEN_STATUSES,
    CliError,
    lake_description,
    matches_frame,
    parse_date,
    parse_datetime,
    published,
    ranked_jobs,
    resolve_job,
)
from job_assets.cli.data import job_info as lookup_job_info
from job_assets.ranking.campaigns import CampaignError

console = Console()
err_console = Console(stderr=True)

STATUS_STYLE: dict[str, str] = {
    "saved": "cyan",
    "preparing_to_apply": "cyan",
    "applied": "blue",
    "interviewing": "magenta",
    "offer": "bold green",
    "accepted": "bold green",
    "rejected": "red",
    "withdrawn": "dim",
    "archived": "dim",
}


def _fail(message: str, code: int) -> None:
    lines = message.splitlines() or [""]
    err_console.print(f"[bold red]error:[/] [red]{escape(lines[0])}[/]", soft_wrap=True)
    for line in lines[1:]:
        err_console.print(f"  {escape(line)}", soft_wrap=True)
    raise typer.Exit(code)


class _Group(TyperGroup):
    """Root command group: turns every expected failure into one red line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except CliError as exc:
            _fail(str(exc), exc.code)
        except CampaignError as exc:
            _fail(str(exc), 2)
        except StoreError as exc:
            _fail(str(exc), 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - the one place that catches everything
            if os.environ.get("JOBS_DEBUG"):
                raise
            _fail(f"{type(exc).__name__}: {exc} (set JOBS_DEBUG=1 for the traceback)", 1)
        return None


app = typer.Typer(
    cls=_Group,
    help="Your job search: run the pipeline, browse matches, track applications.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(campaign_app, name="campaign")
interview_app = typer.Typer(help="Interviews for a job.", no_args_is_help=True)
offer_app = typer.Typer(help="Offers for a job.", no_args_is_help=True)
app.add_typer(interview_app, name="interview")
app.add_typer(offer_app, name="offer")


# --------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------


def _t(value: Any, style: str = "") -> Text:
    """A table cell that never interprets markup in data."""
    return Text("—" if value is None or value == "" else str(value), style=style)


def _status_cell(status: str | None) -> Text:
    return _t(status, STATUS_STYLE.get(status or "", "dim"))


def _money(lo: Any, hi: Any, currency: str | None) -> str:
    def k(v: Any) -> str:
        return f"{round(float(v) / 1000):,}k"

    if lo is None and hi is None:
        return "—"
    if lo is None or hi is None or lo == hi:
        return f"{k(lo if lo is not None else hi)} {currency or ''}".strip()
    return f"{k(lo)}–{k(hi)} {currency or ''}".strip()


def _score_style(score: float) -> str:
    return "bold green" if score >= 70 else "yellow" if score >= 50 else "dim"


# --------------------------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------------------------


def _run(start: str, end: str) -> None:
    for value in (start, end):
        parse_date(value)
    from job_assets.runner import run_partitions  # Dagster is heavy: only for run/backfill

    label = start if start == end else f"{start} .. {end}"
    began = time.monotonic()
    with console.status(f"[bold]Running the pipeline for {label}[/] (collect, clean, rank)..."):
        try:
            result = run_partitions(start, end)
        except ValueError as exc:
            raise CliError(str(exc), code=2) from None
    seconds = time.monotonic() - began
    ok_steps = len(result.get_step_success_events())
    failed = [e.step_key for e in result.get_step_failure_events()]
    table = Table(show_header=False, box=None)
    table.add_row("run", _t(result.run_id))
    table.add_row("dates", _t(label))
    table.add_row("steps", _t(f"{ok_steps} succeeded, {len(failed)} failed"))
    table.add_row("time", _t(f"{seconds:.1f} s"))
    try:
        ranked = published("ranked_jobs")
        new = ranked.filter(pl.col("is_new")).height
        table.add_row("matches", _t(f"{ranked.height} ranked, {new} new"))
    except CliError:
        pass
    style = "green" if result.success else "red"
    title = "run succeeded" if result.success else "run FAILED"
    console.print(Panel(table, title=f"[{style}]{title}[/]", border_style=style, expand=False))
    if not result.success:
        raise CliError(f"run failed at: {', '.join(failed) or 'unknown step'}")
    console.print("[dim]next: `jobs matches`[/]")


@app.command()
def run(
    date: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD (default: latest complete day).")
    ] = None,
) -> None:
    """Run the whole pipeline for one day."""
    if date is None:
        from job_assets.runner import latest_complete_partition

        date = latest_complete_partition()
    _run(date, date)


@app.command()
def backfill(
    start: Annotated[str, typer.Argument(help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Argument(help="Last day (inclusive).")],
) -> None:
    """Run the pipeline over a range of days, in one run."""
    _run(start, end)


# --------------------------------------------------------------------------------------------
# Matches and jobs
# --------------------------------------------------------------------------------------------


def _check_campaign(campaign: str, ranked: pl.DataFrame) -> None:
    ids = set(ranked["campaign_id"].unique().to_list())
    if campaign in ids:
        return
    try:
        configured = [c.id for c in load_config().campaigns]
    except CampaignError:
        configured = []
    if campaign in configured:
        raise CliError(f"campaign '{campaign}' has no ranked jobs yet: run `jobs run`")
    raise CliError(unknown_campaign(campaign, sorted(ids | set(configured))), code=2)


def _filtered_matches(
    campaign: str | None, min_score: float | None, new: bool, remote: bool, show_all: bool
) -> pl.DataFrame:
    df = matches_frame()
    if campaign:
        _check_campaign(campaign, df)
        df = df.filter(pl.col("campaign_id") == campaign)
    if min_score is not None:
        df = df.filter(pl.col("score") >= min_score)
    if new:
        df = df.filter(pl.col("is_new"))
    if remote:
        df = df.filter(pl.col("remote_type") == "remote")
    if not show_all:
        df = df.filter(~pl.col("application_status").is_in(list(HIDDEN_STATUSES)).fill_null(False))
    return df.sort(["campaign_id", "score", "rank"], descending=[False, True, False])


@app.command()
def matches(
    campaign: Annotated[str | None, typer.Option("--campaign", "-c", help="Campaign id.")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="0-100.")] = None,
    new: Annotated[bool, typer.Option("--new", help="Only jobs new since the last run.")] = False,
    remote: Annotated[bool, typer.Option("--remote", help="Only fully remote jobs.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Rows per campaign.")] = 20,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include rejected, withdrawn and archived jobs.")
    ] = False,
) -> None:
    """Your best-ranked jobs, per campaign, with your application status."""
    df = _filtered_matches(campaign, min_score, new, remote, show_all)
    if df.is_empty():
        console.print("[yellow]no matches with these filters[/]")
        return
    for (cid,), group in df.group_by("campaign_id", maintain_order=True):
        rows = group.head(limit)
        table = Table(
            title=f"{rows['campaign_name'][0]} [dim]({cid}: {group.height} jobs)[/]",
            title_justify="left",
        )
        table.add_column("#", justify="right")
        table.add_column("score", justify="right")
        table.add_column("title", overflow="fold")
        table.add_column("company", overflow="fold")
        table.add_column("location", overflow="fold")
        table.add_column("salary", no_wrap=True)
        table.add_column("status")
        table.add_column("job id", overflow="fold", style="dim")
        for r in rows.iter_rows(named=True):  # at most `limit` rows: display only
            title = Text(str(r["title"]))
            if r["is_new"]:
                title.append(" new", style="bold cyan")
            where = r["location"] or ""
            if r["remote_type"] in ("remote", "hybrid"):
                where = f"{where} ({r['remote_type']})".strip()
            table.add_row(
                _t(r["rank"]),
                _t(f"{r['score']:.0f}", _score_style(r["score"])),
                title,
                _t(r["company_name"]),
                _t(where),
                _t(_money(r["salary_min_norm"], r["salary_max_norm"], r["reporting_currency"])),
                _status_cell(r["application_status"]),
                _t(r["job_id"]),
            )
        console.print(table)
    console.print("[dim]details: `jobs show JOB`; track: `jobs status JOB saved`[/]")


@app.command()
def show(
    job: Annotated[str, typer.Argument(help="Job id or a unique prefix.")],
    full: Annotated[bool, typer.Option("--full", help="Whole description.")] = False,
) -> None:
    """One job: posting, salary, skills, why it ranked where it did, your status."""
    job_id = resolve_job(job)
    facts = published("fact_jobs").filter(pl.col("job_id") == job_id)
    store = ApplicationStore()
    app_row = store.get(job_id) if store.path.exists() else None
    if facts.is_empty():
        console.print(f"[yellow]{escape(job_id)} is no longer in the published jobs[/]")
        if app_row:
            _print_application(store, job_id, app_row)
        return
    f = facts.row(0, named=True)
    head = Text(str(f["title"]), style="bold")
    head.append(f"  at {f['company_name']}", style="")
    info = Table(show_header=False, box=None, pad_edge=False)
    info.add_column(style="dim")
    info.add_column(overflow="fold")
    location = ", ".join(p for p in (f["city"], f["region"], f["country"]) if p)
    info.add_row("job id", _t(job_id))
    info.add_row("location", _t(f"{location or f['location_raw'] or '—'} ({f['remote_type']})"))
    info.add_row("type", _t(f"{f['employment_type']}, {f['seniority']}"))
    info.add_row("posted", _t(f["posted_at"]))
    info.add_row("sources", _t(f.get("sources") or f["source"]))
    posted = "—"
    if f["salary_min"] is not None or f["salary_max"] is not None:
        lo, hi = f["salary_min"], f["salary_max"]
        amount = f"{lo:,.0f}" if hi is None or lo == hi else f"{lo or 0:,.0f}–{hi:,.0f}"
        posted = f"{amount} {f['salary_currency'] or ''} per {f['salary_period'] or 'year'}"
    info.add_row("salary (posted)", _t(posted))
    info.add_row(
        f"salary ({f['reporting_currency']}/yr)",
        _t(_money(f["salary_min_norm"], f["salary_max_norm"], f["reporting_currency"])),
    )
    info.add_row("skills", _t(f.get("skills")))
    info.add_row("apply", _t(f["apply_url"], "underline blue"))
    status = app_row["status"] if app_row else None
    info.add_row("your status", _status_cell(status or "not tracked"))
    console.print(Panel(info, title=head, title_align="left", expand=False))

    ranked = (
        ranked_jobs().filter(pl.col("job_id") == job_id).sort("score", descending=True).collect()
    )
    for r in ranked.iter_rows(named=True):  # one row per campaign
        _print_explanation(r)
    description = lake_description(job_id)
    if description:
        text = description if full or len(description) <= 1200 else description[:1200] + " …"
        console.print(Panel(Text(text), title="description", title_align="left"))
        if not full and len(description) > 1200:
            console.print("[dim]whole text: --full[/]")
    if app_row:
        _print_application(store, job_id, app_row)


def _print_explanation(r: dict[str, Any]) -> None:
    title = (
        f"[bold]{escape(str(r['campaign_name']))}[/] — score "
        f"[{_score_style(r['score'])}]{r['score']:.1f}[/], rank {r['rank']}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("factor")
    table.add_column("points", justify="right")
    table.add_column("reason", overflow="fold")
    penalty = None
    if r["rank_explain"]:
        data = json.loads(r["rank_explain"])
        penalty = data.get("penalty")
        for fct in data.get("factors", []):
            pts, mx = float(fct.get("points") or 0), float(fct.get("max_points") or 0)
            style = "green" if mx and pts >= 0.75 * mx else "yellow" if pts > 0 else "red"
            table.add_row(
                _t(fct.get("factor")), _t(f"{pts:g}/{mx:g}", style), _t(fct.get("reason"))
            )
    else:
        table.add_row("—", "—", _t(r["top_reasons"] or "no explanation kept for this rank"))
    console.print(table)
    console.print(
        f"  matched skills: [green]{escape(r['matched_skills'] or '—')}[/]   "
        f"missing: [red]{escape(r['missing_skills'] or '—')}[/]"
    )
    if penalty:
        console.print(f"  [red]penalty:[/] {escape(penalty)}")


def _print_application(store: ApplicationStore, job_id: str, row: dict[str, Any]) -> None:
    hist = store.history(job_id)
    table = Table(title="your history", title_justify="left")
    for col in ("when", "what", "note"):
        table.add_column(col, overflow="fold")
    for h in hist.iter_rows(named=True):  # one job's events
        what = (
            f"{h['from_status'] or 'new'} -> {h['to_status']}"
            if h["kind"] == "status"
            else h["kind"]
        )
        extra = json.loads(h["payload"]) if h["payload"] else {}
        note = h["note"] or ", ".join(f"{k}={v}" for k, v in extra.items() if v is not None)
        table.add_row(_t(h["at"]), _t(what), _t(note))
    console.print(table)
    if row.get("applied_at"):
        console.print(f"  applied at {row['applied_at']}")


# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------


def _change(job: str, state: str, note: str | None, applied_at: dt.datetime | None = None) -> None:
    try:
        new = check_status(state)
    except StoreError as exc:
        raise CliError(str(exc), code=2) from None
    job_id = resolve_job(job)
    store = ApplicationStore()
    info = lookup_job_info(job_id) if store.get(job_id) is None else {}
    old, new = store.set_status(job_id, new, note=note, job_info=info, applied_at=applied_at)
    label = info.get("title") or job_id
    console.print(
        f"[bold]{escape(str(label))}[/]: {escape(old or 'new')} -> [{STATUS_STYLE[new]}]{new}[/]"
    )


@app.command()
def status(
    job: Annotated[str, typer.Argument(help="Job id or a unique prefix.")],
    state: Annotated[str, typer.Argument(help=f"One of: {', '.join(STATUSES)}.")],
    note: Annotated[str | None, typer.Option("--note", help="Free text kept with it.")] = None,
) -> None:
    """Set where you are with a job (saved, applied, interviewing, ...)."""
    _change(job, state, note)


@app.command()
def apply(
    job: Annotated[str, typer.Argument(help="Job id or a unique prefix.")],
    at: Annotated[str | None, typer.Option("--at", help="When (default: now).")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Record that you applied (sets applied_at)."""
    when = parse_datetime(at, "--at") if at else None
    _change(job, "applied", note, applied_at=when)


@app.command()
def applications(
    status_filter: Annotated[
        str | None, typer.Option("--status", "-s", help="Only this status.")
    ] = None,
) -> None:
    """Every job you track, most recently updated first."""
    if status_filter is not None:
        try:
            status_filter = check_status(status_filter)
        except StoreError as exc:
            raise CliError(str(exc), code=2) from None
    store = ApplicationStore()
    if not store.path.exists():
        console.print("[yellow]no applications yet: `jobs status JOB saved` starts one[/]")
        return
    df = store.applications(status_filter)
    if df.is_empty():
        console.print("[yellow]no applications with this status[/]")
        return
    table = Table(title=f"Applications ({df.height})", title_justify="left")
    for col in ("status", "title", "company", "campaign", "applied", "updated", "note", "job id"):
        table.add_column(col, overflow="fold")
    for r in df.iter_rows(named=True):  # the seeker's own list: tens of rows
        table.add_row(
            _status_cell(r["status"]),
            _t(r["title"]),
            _t(r["company_name"]),
            _t(r["campaign_id"]),
            _t((r["applied_at"] or "")[:10]),
            _t(r["updated_at"][:10]),
            _t(r["note"]),
            _t(r["job_id"], "dim"),
        )
    console.print(table)


@interview_app.command("add")
def interview_add(
    job: Annotated[str, typer.Argument(help="Job id or a unique prefix.")],
    at: Annotated[str, typer.Option("--at", help="YYYY-MM-DD HH:MM (local time).")],
    kind: Annotated[str, typer.Option("--kind", help="phone|video|onsite.")],
    with_name: Annotated[str | None, typer.Option("--with", help="Who you meet.")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
) -> None:
    """Record an interview (moves an 'applied' job to 'interviewing')."""
    if kind not in INTERVIEW_KINDS:
        raise CliError(f"unknown kind '{kind}' (valid: {', '.join(INTERVIEW_KINDS)})", code=2)
    when = parse_datetime(at, "--at")
    job_id = resolve_job(job)
    ApplicationStore().add_interview(job_id, when, kind, with_name, notes)
    console.print(f"[green]interview recorded[/] for {escape(job_id)} on {when:%Y-%m-%d %H:%M}")


@offer_app.command("add")
def offer_add(
    job: Annotated[str, typer.Argument(help="Job id or a unique prefix.")],
    salary: Annotated[float, typer.Option("--salary", help="Yearly amount.")],
    currency: Annotated[str, typer.Option("--currency", help="ISO code, e.g. CAD.")],
    deadline: Annotated[str | None, typer.Option("--deadline", help="YYYY-MM-DD.")] = None,
) -> None:
    """Record an offer (moves an 'applied' or 'interviewing' job to 'offer')."""
    due = parse_date(deadline, "--deadline") if deadline else None
    job_id = resolve_job(job)
    ApplicationStore().add_offer(job_id, salary, currency, due)
    console.print(
        f"[bold green]offer recorded[/] for {escape(job_id)}: {salary:,.0f} {currency.upper()}"
    )


# --------------------------------------------------------------------------------------------
# Stats, export, import
# --------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _stats_table(title: str, df: pl.DataFrame, label: str) -> Table:
    table = Table(title=title, title_justify="left")
    for col in (label, "saved", "applied", "interviewing", "offer", "response", "interview",
                "offer rate", "median days to answer"):  # fmt: skip
        table.add_column(col, justify="left" if col == label else "right")
    for r in df.iter_rows(named=True):  # one row per campaign/source
        days = r["median_days_to_response"]
        table.add_row(
            _t(r["group"], "bold"),
            _t(r["saved"]),
            _t(r["applied"]),
            _t(r["interviewing"]),
            _t(r["offer"]),
            _t(_pct(r["response_rate"])),
            _t(_pct(r["interview_rate"])),
            _t(_pct(r["offer_rate"])),
            _t("—" if days is None else f"{days:.1f}"),
        )
    return table


@app.command()
def stats() -> None:
    """Your funnel and response rates, overall, by campaign and by source."""
    store = ApplicationStore()
    if not store.path.exists():
        console.print("[yellow]no applications yet: nothing to count[/]")
        return
    apps, hist = store.applications(), store.history()
    overall = funnel_stats(apps, hist).row(0, named=True)
    funnel = Table(title="Funnel", title_justify="left", show_header=False)
    top = max(overall["saved"], 1)
    for stage in ("saved", "applied", "interviewing", "offer"):
        n = overall[stage]
        bar = "█" * round(30 * n / top)
        funnel.add_row(_t(stage, "bold"), _t(n), Text(bar, style=STATUS_STYLE[stage]))
    console.print(funnel)
    days = overall["median_days_to_response"]
    console.print(
        f"response rate [bold]{_pct(overall['response_rate'])}[/] · interview rate "
        f"[bold]{_pct(overall['interview_rate'])}[/] · offer rate "
        f"[bold]{_pct(overall['offer_rate'])}[/] · median days from applying to a first answer "
        f"[bold]{'—' if days is None else f'{days:.1f}'}[/]"
    )
    console.print(_stats_table("By campaign", funnel_stats(apps, hist, "campaign"), "campaign"))
    console.print(_stats_table("By source", funnel_stats(apps, hist, "source"), "source"))


class What(StrEnum):
    matches = "matches"
    applications = "applications"
    jobs = "jobs"


class Format(StrEnum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _write(df: pl.DataFrame, fmt: Format, out: Path) -> None:
    if fmt is Format.csv:
        df.write_csv(out)
    elif fmt is Format.json:
        df.write_json(out)
    else:
        df.write_parquet(out)


@app.command()
def export(
    what: Annotated[What, typer.Option("--what", help="matches, applications or jobs.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[Format, typer.Option("--format", help="csv, json or parquet.")] = Format.csv,
) -> None:
    """Write matches, jobs or your applications to a file (applications as JSON = full backup)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if what is What.applications and fmt is Format.json:
        data = export_backup()
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), "utf-8")
        n = len(data["applications"])
        console.print(
            f"[green]backup written[/] to {escape(str(out))}: {n} applications, "
            f"{len(data['history'])} history events (restore: `jobs import {out}`)"
        )
        return
    if what is What.applications:
        store = ApplicationStore()
        df = store.applications() if store.path.exists() else pl.DataFrame()
    elif what is What.matches:
        df = matches_frame().sort(["campaign_id", "rank"])
    else:
        df = published("fact_jobs")
    _write(df, fmt, out)
    console.print(f"[green]wrote[/] {df.height} rows to {escape(str(out))}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A JSON backup from `jobs export`.")],
) -> None:
    """Restore your applications, history, interviews, offers and campaigns from a backup."""
    if not path.exists():
        raise CliError(f"no such file: {path}", code=2)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CliError(f"{path} is not JSON: {exc}", code=2) from None
    counts = import_backup(data)
    parts = ", ".join(f"{n} {k}" for k, n in counts.items())
    console.print(f"[green]restored[/] {parts}")


def main() -> None:  # pragma: no cover - console entry point convenience
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
