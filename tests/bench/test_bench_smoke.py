"""The benchmark runs end to end at a small N and its figures are internally consistent.

No timing assertions: only that every stage ran, produced rows, and that the rows agree between
stages (raw postings = mapped = normalized + quarantined = floor rows; Hyper = published).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "run_bench.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("run_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 5000, 1_000_001])
def test_split_postings_sums_to_n_and_is_even(n: int) -> None:
    split = _bench_module().split_postings(n)
    assert list(split) == ["jsearch", "greenhouse", "lever", "ashby"]
    assert sum(split.values()) == n
    assert max(split.values()) - min(split.values()) <= 1


def test_stage_table_marks_failures_and_formats_missing_values() -> None:
    bench = _bench_module()
    table = bench.stage_table(
        {
            "raw": {
                "ok": True,
                "seconds": 2.0,
                "process_seconds": 2.2,
                "rows": 5000,
                "rows_per_s": 2500.0,
                "peak_rss_mb": 65.5,
                "floor_ratio": 4.0,
            },
            "dbt": {"ok": False, "seconds": 1.0, "rows": 0, "peak_rss_mb": None},
        }
    )
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["stage", "seconds"]
    assert "5,000" in lines[2] and "4.00" in lines[2]
    assert lines[3].startswith("dbt FAILED") and lines[3].rstrip().endswith("-")


def _run_bench(work: Path, *args: str) -> dict:
    out = work / "results.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--workdir", str(work / "w"), "--results", str(out), *args],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return {"stdout": proc.stdout, **json.loads(out.read_text())}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The per-stage benchmark at N=5000 (about 45-60 s: two dbt builds dominate)."""
    work = tmp_path_factory.mktemp("bench")
    data = _run_bench(work, "--n", "5000")
    assert "x floor" in data["stdout"] and "incremental" not in data
    return {**data, "work": work}


@pytest.mark.slow
def test_every_stage_ran_with_rows(results: dict) -> None:
    stages = results["main"]["5000"]["stages"]
    assert list(stages) == list(_bench_module().STAGES)
    for name, stage in stages.items():
        assert stage["ok"], (name, stage.get("error"))
        assert stage["rows"] > 0, name
        assert stage["peak_rss_mb"] > 0, name
        assert stage["floor_ratio"] > 0, name
    assert stages["floor"]["floor_ratio"] == 1.0


@pytest.mark.slow
def test_rows_agree_between_stages(results: dict) -> None:
    s = results["main"]["5000"]["stages"]
    assert s["raw"]["rows"] == 5000
    assert s["raw"]["per_source"] == s["normalize"]["per_source"]
    assert s["normalize"]["rows"] == s["raw"]["rows"]
    assert s["normalize"]["normalized"] + s["normalize"]["quarantined"] == s["raw"]["rows"]
    assert s["normalize"]["normalized"] > 0.8 * s["raw"]["rows"]
    assert s["floor"]["rows"] == s["raw"]["rows"]
    # dedup can only shrink; every ranked pair is a (campaign, active job) pair
    assert 0 < s["dbt"]["rows"] <= s["normalize"]["normalized"]
    assert s["ranking"]["campaigns"] == 10
    assert s["ranking"]["rows"] <= 10 * s["ranking"]["active_jobs"]
    assert s["ranking_models"]["counts"]["job_rankings"] == s["ranking"]["rows"]
    # the Hyper extract holds exactly what was published
    assert s["hyper"]["counts"] == s["publish"]["counts"]
    assert s["publish"]["counts"]["fact_jobs"] == s["dbt"]["rows"]


@pytest.mark.slow
def test_export_is_reported_for_its_jobs_and_ranking_rows(results: dict) -> None:
    main = results["main"]["5000"]
    s, export = main["stages"], main["export"]
    assert export["seconds"] == pytest.approx(
        s["publish"]["seconds"] + s["hyper"]["seconds"], abs=0.01
    )
    assert export["jobs"] == s["dbt"]["rows"]
    assert export["ranking_rows"] == s["hyper"]["counts"]["ranked_jobs"] > 0
    assert f"and {export['ranking_rows']:,} ranking rows" in results["stdout"]
    assert main["campaigns_anywhere"] is False


@pytest.mark.slow
def test_anywhere_campaigns_rank_every_active_job(results: dict) -> None:
    # re-ranks the same root with campaigns that exclude no place: all pairs get ranked
    located = results["main"]["5000"]["stages"]["ranking"]
    data = _run_bench(
        results["work"],
        *("--n", "5000", "--anywhere", "--stages", "ranking,ranking_models,publish,hyper"),
    )
    run = data["main"]["5000-anywhere"]
    assert run["campaigns_anywhere"] is True
    ranking = run["stages"]["ranking"]
    assert ranking["active_jobs"] == located["active_jobs"]
    assert ranking["rows"] > located["rows"]
    assert ranking["rows"] + ranking["excluded_pairs"] == 10 * ranking["active_jobs"]
    assert ranking["excluded_pairs"] < 0.05 * ranking["rows"]  # keyword/company rules only
    assert run["export"]["ranking_rows"] == ranking["rows"]


@pytest.mark.slow
def test_incremental_benchmark(tmp_path: Path) -> None:
    """1 and 2 days of history, 500 postings a day (about 60-100 s: six dbt builds)."""
    results = _run_bench(
        tmp_path, "--no-main", "--incremental", "--history-days", "2", "--daily", "500"
    )
    assert "main" not in results and "ratio 2 days / 1 day" in results["stdout"]
    inc = results["incremental"]
    assert inc["ok"] and inc["daily"] == 500 and set(inc["runs"]) == {"1", "2"}
    for run in inc["runs"].values():
        assert run["raw_landing"]["rows"] == 500
        assert list(run["stages"]) == list(_bench_module().INCREMENTAL_STAGES)
        assert all(stage["ok"] and stage["rows"] > 0 for stage in run["stages"].values())
        norm = run["stages"]["normalize"]
        assert norm["normalized"] + norm["quarantined"] == 500
    # more history: the warehouse holds more jobs than after one day
    assert inc["runs"]["2"]["stages"]["dbt"]["rows"] > inc["runs"]["1"]["stages"]["dbt"]["rows"]
    assert inc["ratio"] == pytest.approx(
        inc["runs"]["2"]["seconds"] / inc["runs"]["1"]["seconds"], abs=0.01
    )
    machine = results["machine"]
    assert machine["cpu_count"] >= 1 and machine["mem_total_gb"] > 0
    assert {"python", "duckdb", "polars", "git_commit", "timestamp"} <= set(machine)
