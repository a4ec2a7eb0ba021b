"""The Dagster definitions load, and the graph has the shape the product needs."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from job_assets.definitions import defs
from job_assets.partitions import daily_partitions
from job_assets.warehouse.window import dbt_build_args, dbt_vars_for_window

REPO = Path(__file__).resolve().parents[2]


def test_dagster_definitions_validate_from_the_workspace_file():
    env = {**os.environ, "DAGSTER_HOME": str(REPO / ".dagster_home")}
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_asset_has_a_group_per_stage_and_a_description():
    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, set()).add(key.to_user_string())
        assert node.description and node.description.strip(), f"{key} has no description"
    assert {"ingest", "normalize", "warehouse", "ranking", "exports"} <= set(groups)
    assert {
        "raw_jsearch_payloads",
        "raw_greenhouse_payloads",
        "raw_lever_payloads",
        "raw_ashby_payloads",
    } <= groups["ingest"]
    assert {"fact_jobs", "dim_companies"} <= groups["warehouse"]
    assert {"job_lakehouse_hyper", "job_lakehouse_workbook"} <= groups["exports"]


def test_the_graph_flows_raw_to_normalized_to_marts_to_rankings_to_exports():
    graph = defs.resolve_asset_graph()

    def upstream(key: str) -> set[str]:
        return {k.to_user_string() for k in graph.upstream_key_iterator(dg.AssetKey(key))}

    assert "raw_lever_payloads" in upstream("normalized_job_postings")
    assert "normalized_job_postings" in upstream("fact_jobs")
    assert "fact_jobs" in upstream("job_rankings")
    assert "job_rankings" in upstream("job_lakehouse_hyper")


def test_all_assets_share_the_one_daily_partition_definition_and_single_run_backfills():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.partitions_def == daily_partitions, key
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
    assert daily_partitions.timezone == "America/Toronto"


def test_schedule_runs_the_previous_day_at_seven_toronto_time():
    schedule = defs.resolve_schedule_def("daily_lakehouse_schedule")
    assert schedule.cron_schedule == "0 7 * * *"
    assert schedule.execution_timezone == "America/Toronto"
    # evaluated at 07:00 Toronto on Nov 23, it targets Nov 22
    tick = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2026-11-22"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 2), ("2026-11-01", "2026-11-02")),
        (dt.date(2026, 10, 30), dt.date(2026, 11, 2), ("2026-10-30", "2026-11-02")),
    ],
)
def test_dbt_window_is_half_open_iso_dates(start, end, expected):
    assert dbt_vars_for_window(start, end) == {"min_date": expected[0], "max_date": expected[1]}
    args = dbt_build_args(start, end, {"reporting_currency": "CAD"})
    assert args[:2] == ["build", "--vars"]
    assert f'"min_date": "{expected[0]}"' in args[2]


def test_dbt_window_rejects_an_empty_window():
    with pytest.raises(ValueError, match="empty partition window"):
        dbt_vars_for_window(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
