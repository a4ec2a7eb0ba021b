"""Bad data that slipped past normalization fails the right dbt test with an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt.lake import day, posting, run_dbt, salary, write_day, write_reference

NO_RANKING = ["--exclude", "path:models/ranking"]
SALARY_TEST = "salary_range_ordered_fact_jobs_salary_max_yearly__salary_min_yearly"
SALARY_NORM_TEST = "salary_range_ordered_fact_jobs_salary_max_norm__salary_min_norm"
BRIDGE_TEST = "relationships_bridge_job_skills_skill_key__skill_key__ref_dim_skills_"


def write_salary_min_above_max(data_dir: Path) -> None:
    """A lake whose one posting has salary min above max (yearly and normalized)."""
    write_reference(data_dir)
    bad = posting("greenhouse", "bad", title="Backwards Salary", **salary(150000, 100000))
    write_day(data_dir, day(0), [posting("greenhouse", "ok"), bad])


def write_orphan_skill(data_dir: Path) -> None:
    write_reference(data_dir)
    write_day(data_dir, day(0), [posting("greenhouse", "ok", skills=["cobol", "python"])])


@pytest.mark.parametrize(
    ("write", "extra_vars", "failing", "skipped"),
    [
        (write_salary_min_above_max, {}, {SALARY_TEST, SALARY_NORM_TEST}, "bridge_job_skills"),
        (write_orphan_skill, {"dim_skills_include_retired": False}, {BRIDGE_TEST}, None),
    ],
    ids=["salary_min_above_max", "orphan_skill"],
)
def test_bad_data_fails_the_named_test(tmp_path, write, extra_vars, failing, skipped):
    write(tmp_path / "data")
    run = run_dbt(tmp_path, "build", (day(0), day(1)), NO_RANKING, extra_vars)
    assert run.returncode != 0
    failed = {name for name, status in run.statuses.items() if status in ("fail", "error")}
    assert failed == failing, failed
    if skipped:  # models downstream of the failing test are not built
        assert run.statuses[skipped] == "skipped"
