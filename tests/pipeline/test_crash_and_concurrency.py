"""Real processes: a run killed with SIGKILL mid-way, and two runs at once on one warehouse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from job_assets.settings import get_paths
from tests.conftest import REPO, lakehouse_env
from tests.pipeline.layers import snapshot

pytestmark = pytest.mark.slow
DAY, OTHER_DAY = "2026-11-03", "2026-11-04"


def _start_run(env: dict[str, str], day: str) -> subprocess.Popen:
    # output to a file, not a pipe: a run's log can outgrow a pipe buffer and block the child
    log_path = Path(env["JOBS_DATA_DIR"]).parent / f"run-{day}-{time.monotonic_ns()}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "job_assets.runner", "--date", day],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: dbt children die with it
    )
    proc.log_path = log_path  # type: ignore[attr-defined]
    return proc


def _finish(proc: subprocess.Popen, timeout: float = 300) -> str:
    proc.wait(timeout=timeout)
    out = proc.log_path.read_text()  # type: ignore[attr-defined]
    assert proc.returncode == 0, out[-4000:]
    return out


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = lakehouse_env(tmp_path)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def test_sigkill_during_a_rerun_leaves_every_earlier_output_readable(env):
    paths = get_paths()
    _finish(_start_run(env, DAY))
    before = snapshot(paths)
    lake_file = paths.lake_partition_file("job_postings", DAY)
    written_at = lake_file.stat().st_mtime_ns

    proc = _start_run(env, DAY)
    # wait until the re-run has replaced the lake partition, i.e. it is into the warehouse stage
    deadline = time.monotonic() + 300
    while lake_file.stat().st_mtime_ns == written_at and time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.05)
    time.sleep(1.5)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    # everything stored before the kill reads back whole: the snapshot opens every layer
    # (gzip raw files, Parquet lake, DuckDB warehouse, Hyper extract)
    after_kill = snapshot(paths)
    assert after_kill == before
    stray = [p for p in paths.lake_dir.rglob("*.parquet") if p.name.startswith(".")]
    assert not stray

    # and the next run gets its locks and produces the same data again
    _finish(_start_run(env, DAY))
    assert snapshot(paths) == before


def test_two_runs_at_once_share_the_warehouse_without_lock_errors(env):
    first, second = _start_run(env, DAY), _start_run(env, OTHER_DAY)
    outputs = [_finish(first), _finish(second)]
    for out in outputs:
        assert "Could not set lock" not in out
    paths = get_paths()
    days = sorted(p.name for p in paths.lake_table_dir("job_postings").iterdir())
    assert days == [f"partition_date={DAY}", f"partition_date={OTHER_DAY}"]
    assert Path(paths.artifacts_dir / "job_lakehouse.hyper").exists()
