"""The job seeker's CLI against a live pipeline: no lock errors while a run writes, no lost
status change, and nothing of the user's survives-or-not by accident of a rebuild or backfill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from job_assets.applications.store import ApplicationStore
from job_assets.cli.main import app
from job_assets.exports.publish import read_ranked_jobs
from job_assets.settings import get_paths
from tests.conftest import REPO, lakehouse_env

pytestmark = pytest.mark.slow
FIRST_DAY, BACKFILL = "2026-11-05", ("2026-11-06", "2026-11-07")
CYCLE = ["saved", "preparing_to_apply", "applied", "interviewing", "offer"]


def _pipeline(env: dict[str, str], *args: str) -> subprocess.Popen:
    log = open(os.path.join(env["JOBS_DATA_DIR"] + f"-{time.monotonic_ns()}.log"), "w")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "job_assets.runner", *args],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _ok(proc: subprocess.Popen) -> None:
    assert proc.wait(timeout=600) == 0


def _export_applications(runner: CliRunner, out: Path) -> Result:
    return runner.invoke(
        app, ["export", "--what", "applications", "--format", "json", "--out", str(out)]
    )


def test_cli_reads_and_writes_while_a_run_rebuilds_and_user_data_outlives_rebuilds(
    tmp_path, monkeypatch
):
    env = {**lakehouse_env(tmp_path), "JOBS_USER_DIR": str(tmp_path / "user")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _ok(_pipeline(env, "--date", FIRST_DAY))
    paths = get_paths()
    ranked = read_ranked_jobs(paths.published_dir).collect()
    jobs = ranked.unique("job_id", keep="first").sort("job_id")["job_id"].head(5).to_list()
    assert len(jobs) == 5

    runner = CliRunner()
    run = _pipeline(env, "--start", BACKFILL[0], "--end", BACKFILL[1])  # rewrites everything
    changes, reads = 0, 0
    while run.poll() is None or changes < len(CYCLE) * len(jobs):
        result = runner.invoke(app, ["matches", "--limit", "5"])
        assert result.exit_code == 0, result.output
        assert "lock" not in result.output.lower()
        reads += 1
        if changes < len(CYCLE) * len(jobs):
            job = jobs[changes % len(jobs)]
            state = CYCLE[changes // len(jobs)]
            result = runner.invoke(app, ["status", job, state, "--note", f"change {changes}"])
            assert result.exit_code == 0, result.output
            changes += 1
    _ok(run)
    assert reads > 1

    store = ApplicationStore(paths.user_store_path)
    assert dict(store.applications().select("job_id", "status").iter_rows()) == dict.fromkeys(
        jobs, "offer"
    )
    history = store.history()
    assert history.filter(pl.col("to_status").is_not_null()).height == changes  # none lost
    interview = runner.invoke(
        app,
        [
            "interview",
            "add",
            jobs[0],
            "--at",
            "2026-11-25 14:00",
            "--kind",
            "video",
            "--with",
            "Dana",
        ],
    )
    assert interview.exit_code == 0, interview.output
    before = _export_applications(runner, tmp_path / "before.json")
    assert before.exit_code == 0, before.output

    # a full dbt rebuild and another backfill do not touch the user's store ...
    dbt = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "dbt"),
            "build",
            "--full-refresh",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "dbt-target"),
            "--quiet",
        ],
        cwd=REPO / "dbt_project",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert dbt.returncode == 0, dbt.stdout[-3000:] + dbt.stderr[-3000:]
    _ok(_pipeline(env, "--start", FIRST_DAY, "--end", BACKFILL[1]))
    after = _export_applications(runner, tmp_path / "after.json")
    assert after.exit_code == 0

    def backup(name: str) -> dict:
        data = json.loads((tmp_path / name).read_text())
        data.pop("exported_at")  # when the backup was taken; everything else must be equal
        return data

    assert backup("after.json") == backup("before.json")
    assert store.interviews().height == 1

    # ... and the statuses reach the published snapshot the Hyper export is built from
    published = pl.read_parquet(paths.published_dir / "fact_jobs.parquet")
    statuses = dict(published.select("job_id", "application_status").iter_rows())
    assert {statuses[j] for j in jobs if j in statuses} == {"offer"}
