"""The DuckDB memory cap reaches the warehouse connections and the dbt profile."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml

from job_assets.settings import REPO_ROOT, duckdb_config


def _memory_limit(config: dict[str, str]) -> str:
    with duckdb.connect(config=config) as con:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_memory_cap_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBS_DUCKDB_MEMORY_LIMIT", "1GB")
    assert _memory_limit(duckdb_config()) == "953.6 MiB"  # DuckDB reports GB in MiB


def test_default_is_duckdbs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOBS_DUCKDB_MEMORY_LIMIT", raising=False)
    assert _memory_limit(duckdb_config()) == _memory_limit({})


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"JOBS_DUCKDB_MEMORY_LIMIT": "3GB"}, "3GB"),
        ({"JOBS_DUCKDB_MEMORY_LIMIT": " "}, "80%"),
        ({}, "80%"),
    ],
)
def test_dbt_profile_reads_the_same_variable(env: dict[str, str], expected: str) -> None:
    """Rendered as dbt renders it (Jinja with env_var): set, set-but-empty, unset."""
    profile = yaml.safe_load(Path(REPO_ROOT / "dbt_project" / "profiles.yml").read_text())
    template = profile["job_lakehouse"]["outputs"]["local"]["settings"]["memory_limit"]

    def env_var(name: str, default: str | None = None) -> str:
        return env.get(name, default)

    assert jinja2.Template(template).render(env_var=env_var) == expected
