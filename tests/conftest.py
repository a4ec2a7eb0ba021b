"""Shared test set-up: the dbt manifest exists before anything imports the definitions, and
every test that runs the pipeline gets its own data root, artifacts folder and offline sources."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
MANIFEST = REPO / "dbt_project" / "target" / "manifest.json"


def _ensure_dbt_manifest() -> None:
    if MANIFEST.exists():
        return
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--profiles-dir", ".", "--quiet"], cwd=REPO / "dbt_project", check=True
    )


_ensure_dbt_manifest()

# Tests never talk to a real instance, webhook or mail server unless they start one themselves.
for _var in (
    "JOBS_WEBHOOK_URLS",
    "JOBS_WEBHOOK_SECRET",
    "JOBS_SMTP_HOST",
    "JOBS_SOURCE_MODE",
    "JOBS_REPLAY_DIR",
    "JSEARCH_API_KEY",
    "GLASSDOOR_API_KEY",
):
    os.environ.pop(_var, None)


def lakehouse_env(root: Path, postings_per_source: int = 40) -> dict[str, str]:
    """Environment for a pipeline confined to ``root``: data, artifacts, Dagster home."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text((REPO / ".dagster_home" / "dagster.yaml").read_text())
    return {
        "JOBS_DATA_DIR": str(root / "data"),
        "JOBS_ARTIFACTS_DIR": str(root / "artifacts"),
        "DAGSTER_HOME": str(home),
        "JOBS_SOURCE_MODE": "demo",
        "JOBS_DEMO_POSTINGS": str(postings_per_source),
    }


@pytest.fixture
def lakehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh, isolated lakehouse root; returns the resolved LakehousePaths."""
    from job_assets.settings import get_paths

    for key, value in lakehouse_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    return get_paths()
