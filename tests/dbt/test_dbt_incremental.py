"""Partition-aware incremental loading: a re-run of a partition and a --full-refresh give the
same fact_jobs as incremental runs, and a daily run reads only its window of the lake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt.lake import day, fact_snapshot, posting, query, run_dbt, write_day, write_reference

NO_RANKING = ["--exclude", "path:models/ranking"]


def _days() -> dict:
    base = [
        posting("greenhouse", "a1"),
        posting("jsearch", "a1j"),
        posting("lever", "b1", title="Staff Engineer", seniority="staff"),
    ]
    days = {day(n): list(base) for n in range(4)}
    days[day(3)].append(posting("ashby", "c1", title="New Role"))
    days[day(0)].append(posting("greenhouse", "gone", title="Short Lived"))
    return days


def _write(root: Path, days: dict) -> None:
    for partition, rows in days.items():
        write_day(root / "data", partition, rows)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dbt_incremental")
    write_reference(root / "data")
    _write(root, _days())
    first = run_dbt(root, "run", (day(0), day(4)), NO_RANKING)
    assert first.returncode == 0, first.output[-3000:]
    return root


def test_rerun_backfill_and_full_refresh_agree(lake: Path):
    keys, checksum = fact_snapshot(lake)
    assert len(keys) == 4
    sightings = query(lake, "select count(*) from int_job_sightings")[0][0]

    # An old partition changes in the lake (one posting dropped from day 0) ...
    changed = _days()
    changed[day(0)] = [r for r in changed[day(0)] if r["source_job_id"] != "gone"]
    _write(lake, changed)
    # ... a re-run of another day neither rescans history nor changes anything ...
    rerun = run_dbt(lake, "run", (day(3), day(4)), NO_RANKING)
    assert rerun.returncode == 0, rerun.output[-3000:]
    assert fact_snapshot(lake) == (keys, checksum)
    assert query(lake, "select count(*) from int_job_sightings") == [(sightings,)]

    # ... re-running day 0 replaces exactly its rows ...
    backfill = run_dbt(lake, "run", (day(0), day(1)), NO_RANKING)
    assert backfill.returncode == 0, backfill.output[-3000:]
    incremental = fact_snapshot(lake)
    assert len(incremental[0]) == 3 and set(incremental[0]) < set(keys)
    assert query(lake, "select count(*) from int_job_sightings") == [(sightings - 1,)]

    # ... and a --full-refresh from the lake reproduces the same fact_jobs.
    refresh = run_dbt(lake, "run", (day(3), day(4)), [*NO_RANKING, "--full-refresh"])
    assert refresh.returncode == 0, refresh.output[-3000:]
    assert fact_snapshot(lake) == incremental
