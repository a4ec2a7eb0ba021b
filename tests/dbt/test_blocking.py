"""A severity-error dbt test blocks the ranking: Dagster does not materialize job_rankings."""

from __future__ import annotations

import dagster as dg
import pytest

from tests.dbt.lake import day
from tests.dbt.test_dbt_gates import SALARY_TEST, write_salary_min_above_max


def test_failing_salary_check_blocks_job_rankings(tmp_path, monkeypatch: pytest.MonkeyPatch):
    from job_assets.ranking.assets import job_rankings
    from job_assets.warehouse.assets import dbt_resource, warehouse_models

    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JOBS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    write_salary_min_above_max(tmp_path / "data")

    result = dg.materialize(
        [warehouse_models, job_rankings],
        resources={"dbt": dbt_resource()},
        partition_key=day(0).isoformat(),
        raise_on_error=False,
    )

    assert not result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks[SALARY_TEST] is False
    assert checks["unique_fact_jobs_job_posting_key"] is True
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey("fact_jobs") in materialized  # built, then tested
    assert dg.AssetKey("job_rankings") not in materialized
