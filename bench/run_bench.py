"""Per-stage throughput and memory of the pipeline, against a floor, plus the incremental cost.

    python bench/run_bench.py --n 100000                       # make bench N=100000
    python bench/run_bench.py --n 1000000 --workdir bench/work
    python bench/run_bench.py --n 1000000 --anywhere --stages ranking,ranking_models,publish,hyper
    python bench/run_bench.py --no-main --incremental --history-days 60 --daily 20000

Every stage runs in its own child process (this file with ``--child``), so the peak RSS printed
is that stage's own (the child's ``ru_maxrss``, or its dbt subprocess's when larger). The stages
call the same pure functions the Dagster assets call; nothing here works around job_assets.

Stages, in order: ``raw`` (synthetic payloads of the four job sources, N split across them,
landed with ``land_records``), ``normalize`` (map + enrich + validate + write the partition, as
the asset does), ``dbt`` (staging/intermediate/marts), ``ranking`` (10 campaigns from
bench_campaigns.yml), ``ranking_models`` (dbt ranking folder), ``publish`` (Parquet snapshots),
``hyper`` (Tableau extract), and ``floor`` (the same raw files read by DuckDB ``read_json``,
one row per posting, written once to Parquet). Results go to bench/results.json (merged: one
entry per N, plus the incremental benchmark).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt_project"
CAMPAIGNS_FILE = Path(__file__).resolve().parent / "bench_campaigns.yml"
DEFAULT_RESULTS = Path(__file__).resolve().parent / "results.json"
ANYWHERE_ENV = "BENCH_CAMPAIGNS_ANYWHERE"

STAGES = ("raw", "normalize", "dbt", "ranking", "ranking_models", "publish", "hyper", "floor")
INCREMENTAL_STAGES = ("normalize", "dbt", "ranking", "ranking_models", "publish", "hyper")
JOB_SOURCES = ("jsearch", "greenhouse", "lever", "ashby")
WAREHOUSE_SELECT = (
    "fqn:job_lakehouse.staging.* fqn:job_lakehouse.intermediate.* fqn:job_lakehouse.marts.*"
)
RANKING_SELECT = "fqn:job_lakehouse.ranking.*"
BENCH_DAY = dt.date(2026, 3, 2)
INCREMENTAL_START = dt.date(2026, 1, 5)


# --------------------------------------------------------------------------------------------
# Child side: one stage (or a history range) per process
# --------------------------------------------------------------------------------------------


def _paths():
    from job_assets.settings import get_paths

    return get_paths()


def split_postings(n: int, sources: tuple[str, ...] = JOB_SOURCES) -> dict[str, int]:
    """N split evenly across the job sources (the remainder goes to the first ones)."""
    base, rest = divmod(n, len(sources))
    return {s: base + (1 if i < rest else 0) for i, s in enumerate(sources)}


def bench_boards(n_source: int) -> list[dict[str, str]]:
    """Enough boards that the largest one stays near 700 postings.

    The generator spreads a source's postings over its boards with weights 1/sqrt(i + 1), so the
    largest of B boards gets about n / (2 sqrt(B)). Greenhouse and Ashby return a whole board in
    one response body; with the 8 default boards a 100k run makes bodies over 32 MB, beyond
    DuckDB ``read_json``'s default ``maximum_object_size`` (16 MB) that the mappers use. Real
    boards hold ~50-500 postings, so the benchmark uses many realistic boards instead."""
    count = max(8, math.ceil((n_source / 1400) ** 2))
    return [
        {"token": f"bench{i:05d}", "company_name": f"Benchmark Employer {i:05d}"}
        for i in range(count)
    ]


def stage_raw(day: dt.date, n: int) -> dict[str, Any]:
    from job_assets.ingest.envelope import FetchStats
    from job_assets.ingest.landing import land_records
    from job_assets.ingest.sources import demo_records

    paths = _paths()
    per_source: dict[str, int] = {}
    responses = written = 0
    split = split_postings(n)
    boards = {s: bench_boards(split[s]) for s in JOB_SOURCES if s != "jsearch"}
    for source, n_source in split.items():
        stats = FetchStats()
        records = demo_records(
            source,
            day,
            n_source,
            stats,
            boards=boards.get(source),
            mirror_boards=boards if source == "jsearch" else None,
        )
        result = land_records(paths.raw_file(source, day.isoformat()), records, stats)
        per_source[source] = stats.postings
        responses += result.responses
        written += result.bytes_written
    return {
        "rows": sum(per_source.values()),
        "per_source": per_source,
        "boards_per_source": len(boards["greenhouse"]),
        "responses": responses,
        "gzip_mb": round(written / 2**20, 1),
    }


def stage_normalize(day: dt.date) -> dict[str, Any]:
    """Exactly what the normalized_job_postings asset does for one day (normalize_day: map each
    source once, enrich in batches streamed to the partition files, validate each batch)."""
    from job_assets.normalize.day import normalize_day
    from job_assets.normalize.enrich import load_taxonomies
    from job_assets.normalize.lake import read_company_sizes
    from job_assets.normalize.skills import skill_categories
    from job_assets.storage import atomic_path

    paths = _paths()
    taxonomies = load_taxonomies()
    t0 = time.perf_counter()
    result = normalize_day(paths, day, taxonomies, read_company_sizes(paths))
    elapsed = time.perf_counter() - t0
    with atomic_path(paths.lake_dir / "skills" / "skills.parquet") as tmp:
        skill_categories(taxonomies.skills).write_parquet(tmp)
    counts = result.counts
    return {
        "rows": sum(c["raw"] for c in counts.values()),
        "normalized": sum(c["normalized"] for c in counts.values()),
        "quarantined": sum(c["quarantined"] for c in counts.values()),
        "schema_failures": len(result.schema_problems),
        "per_source": {s: c["raw"] for s, c in counts.items()},
        "normalize_day_s": round(elapsed, 2),
    }


def _ensure_companies_file() -> None:
    import polars as pl

    from job_assets.ingest.companies import STATE_SCHEMA
    from job_assets.storage import atomic_path

    target = _paths().lake_dir / "companies" / "companies.parquet"
    if not target.exists():
        with atomic_path(target) as tmp:
            pl.DataFrame(schema=STATE_SCHEMA).write_parquet(tmp)


def _table_counts(tables: list[str]) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(_paths().warehouse_path), read_only=True) as con:
        existing = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        return {
            t: con.execute(f'select count(*) from "{t}"').fetchone()[0]
            for t in tables
            if t in existing
        }


def _run_dbt(day: dt.date, select: str, workdir: Path) -> dict[str, Any]:
    from job_assets.warehouse.lock import warehouse_write_lock
    from job_assets.warehouse.window import dbt_build_args

    paths = _paths()
    project = os.environ.get("BENCH_DBT_PROJECT_DIR") or str(DBT_DIR)
    dbt = Path(sys.executable).parent / "dbt"
    args = [
        str(dbt) if dbt.exists() else "dbt",
        *dbt_build_args(day, day + dt.timedelta(days=1), {"reporting_currency": "CAD"}),
        "--select",
        select,
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        # our own target/log folders: the shared dbt_project/target keeps its manifest
        "--target-path",
        str(workdir / "dbt_target"),
        "--log-path",
        str(workdir / "dbt_logs"),
    ]
    env = {**os.environ, "JOBS_DATA_DIR": str(paths.data_dir), "DBT_USE_COLORS": "false"}
    with warehouse_write_lock(paths):  # as the dbt assets do (it also creates the folder)
        proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise RuntimeError(f"dbt build --select {select} exited {proc.returncode}:\n{tail}")
    summary = [ln for ln in proc.stdout.splitlines() if "Done. PASS=" in ln]
    return {"dbt_summary": summary[-1].split("Done. ")[-1].strip() if summary else ""}


def stage_dbt(day: dt.date, workdir: Path) -> dict[str, Any]:
    _ensure_companies_file()
    out = _run_dbt(day, WAREHOUSE_SELECT, workdir)
    counts = _table_counts(
        [
            "stg_lake__job_postings",
            "fact_jobs",
            "bridge_job_skills",
            "dim_companies",
            "mart_skill_demand",
        ]
    )
    return {"rows": counts.get("fact_jobs", 0), "counts": counts, **out}


def _campaigns():
    import yaml

    from job_assets.ranking.campaigns import parse_campaigns, taxonomy_skill_names

    data = yaml.safe_load(CAMPAIGNS_FILE.read_text(encoding="utf-8"))
    if os.environ.get(ANYWHERE_ENV):  # --anywhere: no campaign excludes a job for its place
        for campaign in data["campaigns"]:
            campaign.pop("locations", None)
            campaign.pop("countries", None)
    return parse_campaigns(data, taxonomy_skill_names(), source=CAMPAIGNS_FILE.name)


def stage_ranking(days: list[dt.date]) -> dict[str, Any]:
    """What the job_rankings asset does, for each day in ``days`` (one connection)."""
    import duckdb

    from job_assets.ranking.scoring import load_ranking_config
    from job_assets.ranking.store import rank_partition
    from job_assets.settings import duckdb_config
    from job_assets.warehouse.lock import warehouse_write_lock

    paths = _paths()
    campaigns = _campaigns()
    config = load_ranking_config()
    out = {
        "rows": 0,
        "active_jobs": 0,
        "excluded_pairs": 0,
        "campaigns": len(campaigns.campaigns),
    }
    with (
        warehouse_write_lock(paths),
        duckdb.connect(str(paths.warehouse_path), config=duckdb_config()) as con,
    ):
        for day in days:
            result = rank_partition(con, paths, day, campaigns, config)
            out["rows"] += result.rows
            out["active_jobs"] += result.active_jobs
            out["excluded_pairs"] += result.excluded
    return out


def stage_ranking_models(day: dt.date, workdir: Path) -> dict[str, Any]:
    out = _run_dbt(day, RANKING_SELECT, workdir)
    counts = _table_counts(["job_rankings", "mart_top_matches", "mart_run_stats"])
    return {"rows": counts.get("job_rankings", 0), "counts": counts, **out}


def stage_publish() -> dict[str, Any]:
    import duckdb

    from job_assets.exports.publish import publish_tables
    from job_assets.settings import duckdb_config
    from job_assets.warehouse.lock import warehouse_write_lock

    paths = _paths()
    with (
        warehouse_write_lock(paths),
        duckdb.connect(str(paths.warehouse_path), config=duckdb_config()) as con,
    ):
        counts = publish_tables(con, paths.published_dir)
    return {"rows": sum(counts.values()), "counts": counts}


def stage_hyper() -> dict[str, Any]:
    from job_assets.exports.hyper import write_hyper
    from job_assets.exports.publish import PUBLISHED_TABLES

    paths = _paths()
    files = {name: paths.published_dir / f"{name}.parquet" for name in PUBLISHED_TABLES}
    target = paths.artifacts_dir / "job_lakehouse.hyper"
    counts = write_hyper(files, target)
    return {
        "rows": sum(counts.values()),
        "counts": counts,
        "hyper_mb": round(target.stat().st_size / 2**20, 1),
    }


_FLOOR_SQL = """
copy (
    with env as (
        select source, payload
        from read_json({files}, format = 'newline_delimited', maximum_object_size = 1073741824,
                       columns = {{kind: 'VARCHAR', source: 'VARCHAR', payload: 'JSON'}})
        where kind = 'response'
    ),
    lists as (
        select source, cast(case
            when source = 'lever' then payload
            when source in ('greenhouse', 'ashby') then json_extract(payload, '$.jobs')
            else json_extract(payload, '$.data') end as json[]) as items
        from env
    )
    select source, unnest(items) as posting from lists
) to '{target}' (format parquet, compression zstd)
"""


def stage_floor(day: dt.date, workdir: Path) -> dict[str, Any]:
    """Raw gzip JSON lines -> one Parquet row per posting, by DuckDB alone: the floor."""
    import duckdb

    paths = _paths()
    files = [str(paths.raw_file(s, day.isoformat())) for s in JOB_SOURCES]
    files = [f for f in files if Path(f).exists()]
    target = workdir / "floor" / "postings.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    literal = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    with duckdb.connect() as con:
        con.execute(_FLOOR_SQL.format(files=literal, target=str(target).replace("'", "''")))
        rows = con.execute("select count(*) from read_parquet($p)", {"p": str(target)}).fetchone()[
            0
        ]
    return {"rows": rows, "parquet_mb": round(target.stat().st_size / 2**20, 1)}


def stage_history(days: list[dt.date], daily: int) -> dict[str, Any]:
    """History for the incremental benchmark: raw landing + normalize per day, in-process."""
    rows = normalized = 0
    for day in days:
        rows += stage_raw(day, daily)["rows"]
        normalized += stage_normalize(day)["normalized"]
    return {"rows": rows, "normalized": normalized, "days": len(days)}


def run_child(stage: str, day: dt.date, n: int, workdir: Path, days: list[dt.date]) -> dict:
    dispatch = {
        "raw": lambda: stage_raw(day, n),
        "normalize": lambda: stage_normalize(day),
        "dbt": lambda: stage_dbt(day, workdir),
        "ranking": lambda: stage_ranking(days or [day]),
        "ranking_models": lambda: stage_ranking_models(day, workdir),
        "publish": stage_publish,
        "hyper": stage_hyper,
        "floor": lambda: stage_floor(day, workdir),
        "history": lambda: stage_history(days, n),
    }
    t0 = time.perf_counter()
    out = dispatch[stage]()
    out["seconds"] = round(time.perf_counter() - t0, 3)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sub = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # dbt, hyperd
    out["peak_rss_mb"] = round(max(own, sub) / 1024, 1)  # Linux reports KiB
    out["peak_rss_self_mb"] = round(own / 1024, 1)
    return out


# --------------------------------------------------------------------------------------------
# Parent side: spawn the stages, collect, print, write results.json
# --------------------------------------------------------------------------------------------


def spawn(
    stage: str, day: dt.date, n: int, workdir: Path, days: list[dt.date] | None = None
) -> dict[str, Any]:
    """Run one stage in a child process; its result dict (``ok`` False and ``error`` on failure).

    ``seconds`` is the stage's own work, measured in the child after its imports;
    ``process_seconds`` adds interpreter start-up and imports."""
    result_file = workdir / f".result-{stage}.json"
    result_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        stage,
        "--day",
        day.isoformat(),
        "--n",
        str(n),
        "--workdir",
        str(workdir),
        "--result-file",
        str(result_file),
    ]
    if days:
        cmd += ["--days", ",".join(d.isoformat() for d in days)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not result_file.exists():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        signal = f" (killed by signal {-proc.returncode})" if proc.returncode < 0 else ""
        return {
            "stage": stage,
            "ok": False,
            "rows": 0,
            "seconds": round(wall, 3),
            "process_seconds": round(wall, 3),
            "peak_rss_mb": None,
            "error": f"exit {proc.returncode}{signal}: {tail}",
        }
    out = json.loads(result_file.read_text())
    result_file.unlink()
    out.update(stage=stage, ok=True, process_seconds=round(wall, 3))
    out["rows_per_s"] = round(out["rows"] / out["seconds"], 1) if out["seconds"] > 0 else None
    return out


def fresh_root(root: Path) -> None:
    """Point this process (and so every child) at an empty data root under ``root``."""
    for sub in ("data", "artifacts", "floor"):
        shutil.rmtree(root / sub, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    os.environ["JOBS_DATA_DIR"] = str((root / "data").resolve())
    os.environ["JOBS_ARTIFACTS_DIR"] = str((root / "artifacts").resolve())
    os.environ.pop("JOBS_USER_DIR", None)
    os.environ.pop("JOBS_TAXONOMY_DIR", None)


def run_main(n: int, workdir: Path, stages: tuple[str, ...]) -> dict[str, Any]:
    root = workdir / f"n{n}"
    if "raw" in stages:
        fresh_root(root)
    else:  # re-running later stages over an existing root
        os.environ["JOBS_DATA_DIR"] = str((root / "data").resolve())
        os.environ["JOBS_ARTIFACTS_DIR"] = str((root / "artifacts").resolve())
    results: dict[str, dict] = {}
    for stage in stages:
        print(f"[bench] n={n} stage {stage} ...", flush=True)
        results[stage] = spawn(stage, BENCH_DAY, n, root)
        if not results[stage]["ok"]:
            print(f"[bench] stage {stage} FAILED: {results[stage]['error']}", flush=True)
    floor = results.get("floor")
    if floor and floor["ok"]:
        for res in results.values():
            if res["ok"] and floor["seconds"] > 0:
                res["floor_ratio"] = round(res["seconds"] / floor["seconds"], 2)
    out = {
        "n": n,
        "day": BENCH_DAY.isoformat(),
        "campaigns_anywhere": bool(os.environ.get(ANYWHERE_ENV)),
        "stages": results,
        "total_seconds": round(sum(r["seconds"] for s, r in results.items() if s != "floor"), 2),
    }
    publish, hyper = results.get("publish"), results.get("hyper")
    if publish and hyper and publish["ok"] and hyper["ok"]:
        # the export as the issue measures it: published snapshots + the Hyper extract
        out["export"] = {
            "seconds": round(publish["seconds"] + hyper["seconds"], 2),
            "jobs": hyper["counts"].get("fact_jobs", 0),
            "ranking_rows": hyper["counts"].get("ranked_jobs", 0),
            "target_seconds": 20,
        }
    return out


def run_incremental(workdir: Path, history_days: int, daily: int) -> dict[str, Any]:
    """Time one new daily partition after 1 and after ``history_days`` days of history.

    The history is built quickly: raw + normalize per day in one process, one dbt build, the
    rankings of every history day in one process, the ranking models once. The measured day then
    runs each stage in its own process, as in the main benchmark."""
    root = workdir / "incremental"
    fresh_root(root)
    days = [INCREMENTAL_START + dt.timedelta(days=i) for i in range(history_days + 1)]
    built = 0
    runs: dict[str, Any] = {}
    for h in sorted({1, history_days}):
        todo = days[built:h]
        if todo:
            print(f"[bench] incremental: building history {todo[0]}..{todo[-1]}", flush=True)
            hist = [
                spawn("history", todo[-1], daily, root, todo),
                spawn("dbt", todo[-1], daily, root),
                spawn("ranking", todo[-1], daily, root, todo),
                spawn("ranking_models", todo[-1], daily, root),
            ]
            failed = [r for r in hist if not r["ok"]]
            if failed:
                return {"ok": False, "error": failed[0]["error"], "stage": failed[0]["stage"]}
        new_day = days[h]
        print(f"[bench] incremental: new day {new_day} after {h} day(s) of history", flush=True)
        raw = spawn("raw", new_day, daily, root)
        stages = {s: spawn(s, new_day, daily, root) for s in INCREMENTAL_STAGES}
        bad = [s for s, r in stages.items() if not r["ok"]]
        runs[str(h)] = {
            "history_days": h,
            "new_day": new_day.isoformat(),
            "raw_landing": raw,
            "stages": stages,
            "ok": raw["ok"] and not bad,
            "seconds": round(sum(r["seconds"] for r in stages.values()), 2),
            "process_seconds": round(sum(r["process_seconds"] for r in stages.values()), 2),
        }
        built = h + 1
    first, last = runs["1"], runs[str(history_days)]
    ratio = round(last["seconds"] / first["seconds"], 2) if first["seconds"] else None
    return {
        "ok": first["ok"] and last["ok"],
        "daily": daily,
        "history_days": history_days,
        "runs": runs,
        "ratio": ratio,
        "target_ratio": 1.5,
        "within_target": ratio is not None and ratio < 1.5,
    }


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def stage_table(stages: dict[str, dict], with_floor: bool = True) -> str:
    head = ["stage", "seconds", "process s", "rows", "rows/s", "peak RSS MB"]
    if with_floor:
        head.append("x floor")
    lines = [head]
    for name, r in stages.items():
        row = [
            name + ("" if r["ok"] else " FAILED"),
            _fmt(r["seconds"], 2),
            _fmt(r.get("process_seconds"), 2),
            _fmt(r["rows"]),
            _fmt(r.get("rows_per_s"), 0),
            _fmt(r.get("peak_rss_mb")),
        ]
        if with_floor:
            row.append(_fmt(r.get("floor_ratio"), 2))
        lines.append(row)
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    text = []
    for i, line in enumerate(lines):
        text.append(
            "  ".join(
                str(c).ljust(w) if j == 0 else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if i == 0:
            text.append("  ".join("-" * w for w in widths))
    return "\n".join(text)


def machine_info() -> dict[str, Any]:
    import duckdb
    import polars

    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    commit = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
        or None
    )
    return {
        "cpu_count": os.cpu_count(),
        "mem_total_gb": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars.__version__,
        "git_commit": commit,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def write_results(path: Path, main: dict | None, incremental: dict | None) -> dict:
    """Merge into ``path``: one entry per N under ``main``, the latest ``incremental``."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            data = {}
    data["machine"] = machine_info()
    if main is not None:
        main["machine"] = data["machine"]
        key = f"{main['n']}-anywhere" if main.get("campaigns_anywhere") else str(main["n"])
        data.setdefault("main", {})[key] = main
        data["latest_n"] = main["n"]
    if incremental is not None:
        incremental["machine"] = data["machine"]
        data["incremental"] = incremental
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str))
    tmp.replace(path)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="postings, split over 4 sources")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "work")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument(
        "--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}"
    )
    parser.add_argument(
        "--dbt-project-dir", type=Path, help="another copy of the dbt project (default: the repo's)"
    )
    parser.add_argument(
        "--anywhere",
        action="store_true",
        help="campaigns without location limits: every campaign ranks every active job "
        "(the most ranking rows N postings can give, e.g. ~9M at N=1M)",
    )
    parser.add_argument("--no-main", action="store_true", help="skip the per-stage benchmark")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--history-days", type=int, default=60)
    parser.add_argument("--daily", type=int, default=20_000)
    # internal: run one stage in this (child) process
    parser.add_argument("--child", choices=[*STAGES, "history"], help=argparse.SUPPRESS)
    parser.add_argument("--day", help=argparse.SUPPRESS)
    parser.add_argument("--days", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        days = [dt.date.fromisoformat(d) for d in args.days.split(",")] if args.days else []
        out = run_child(
            args.child, dt.date.fromisoformat(args.day), args.n, args.workdir.resolve(), days
        )
        args.result_file.write_text(json.dumps(out, default=str))
        return 0

    stages = tuple(s.strip() for s in args.stages.split(",") if s.strip())
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(unknown)}")
    if args.history_days < 1:
        parser.error("--history-days must be >= 1")
    workdir = args.workdir.resolve()
    if args.dbt_project_dir:
        os.environ["BENCH_DBT_PROJECT_DIR"] = str(args.dbt_project_dir.resolve())
    if args.anywhere:
        os.environ[ANYWHERE_ENV] = "1"
    main_result = inc_result = None
    ok = True
    if not args.no_main:
        main_result = run_main(args.n, workdir, stages)
        ok = all(r["ok"] for r in main_result["stages"].values())
    if args.incremental:
        inc_result = run_incremental(workdir, args.history_days, args.daily)
        ok = ok and inc_result["ok"]
    data = write_results(args.results, main_result, inc_result)

    info = data["machine"]
    print(
        f"\nmachine: {info['cpu_count']} cores, {info['mem_total_gb']} GB; python "
        f"{info['python']}, duckdb {info['duckdb']}, polars {info['polars']}; commit "
        f"{(info['git_commit'] or '?')[:10]}"
    )
    if main_result is not None:
        print(
            f"\nN = {args.n:,} postings (day {main_result['day']}); seconds = the stage's work "
            f"in its own process, process s = with interpreter start-up and imports; "
            f"x floor = seconds / floor seconds"
        )
        print(stage_table(main_result["stages"]))
        print(f"pipeline total (without floor): {main_result['total_seconds']:.1f} s")
        export = main_result.get("export")
        if export:
            print(
                f"export (publish + hyper): {export['seconds']:.1f} s for {export['jobs']:,} jobs "
                f"and {export['ranking_rows']:,} ranking rows (target < 20 s at 1M jobs and 10M "
                f"ranking rows)"
            )
    if inc_result is not None:
        if "runs" not in inc_result:
            print(
                f"\nincremental benchmark FAILED in {inc_result.get('stage')}: "
                f"{inc_result.get('error')}"
            )
        else:
            for h, run in inc_result["runs"].items():
                print(
                    f"\nincremental: new day {run['new_day']} ({args.daily:,} postings) after "
                    f"{h} day(s) of history: {run['seconds']:.1f} s of work "
                    f"({run['process_seconds']:.1f} s with process start-up)"
                )
                print(stage_table(run["stages"], with_floor=False))
            print(
                f"\nratio {args.history_days} days / 1 day: {inc_result['ratio']} "
                f"(target < 1.5: {'met' if inc_result['within_target'] else 'NOT met'})"
            )
    print(f"\nresults: {args.results}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
