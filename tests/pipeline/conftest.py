"""One materialized lakehouse shared by the pipeline test modules (a run costs ~30-40 s)."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import pytest

from job_assets.runner import run_partitions
from job_assets.settings import LakehousePaths, get_paths
from tests.conftest import lakehouse_env
from tests.pipeline.layers import snapshot

DAY = "2026-11-10"


@dataclass
class PipelineRun:
    paths: LakehousePaths
    instance: dg.DagsterInstance
    result: dg.ExecuteInProcessResult
    snapshot: dict


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> PipelineRun:
    root = tmp_path_factory.mktemp("lakehouse")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in lakehouse_env(root).items():
            mp.setenv(key, value)
        instance = dg.DagsterInstance.ephemeral()
        result = run_partitions(DAY, instance=instance)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        paths = get_paths()
        yield PipelineRun(paths, instance, result, snapshot(paths))
