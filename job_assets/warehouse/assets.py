"""dbt models as Dagster assets: staging -> intermediate -> marts, then the ranking marts."""

import os
import shutil
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from job_assets.ingest.assets import SINGLE_RUN
from job_assets.partitions import daily_partitions
from job_assets.settings import REPO_ROOT, get_paths
from job_assets.warehouse.lock import warehouse_write_lock
from job_assets.warehouse.window import dbt_build_args

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    return project


class FolderGroupTranslator(DagsterDbtTranslator):
    """Group by the model's folder (staging/intermediate/marts -> warehouse; ranking -> ranking)."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        path = Path(node.get("original_file_path", ""))
        folder = path.parts[1] if len(path.parts) > 2 else ""
        group = "ranking" if folder == "ranking" else "warehouse"
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            return spec
        # the UI shows one line per asset: the model description's first sentence
        text = " ".join((spec.description or "").split())
        first = text.split(". ")[0].rstrip(".") + "." if text else None
        return spec.replace_attributes(group_name=group, description=first)


def dbt_executable() -> str:
    """dbt from this interpreter's environment (the venv), else from PATH. The Dagster code
    server may run with a resolved interpreter path, so both the executable's folder and the
    environment prefix are tried."""
    for folder in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        if (folder / "dbt").exists():
            return str(folder / "dbt")
    return shutil.which("dbt") or "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())


def _run_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    paths = get_paths()
    # dbt reads the lake and the warehouse through JOBS_DATA_DIR: always give it an absolute path.
    os.environ["JOBS_DATA_DIR"] = str(paths.data_dir)
    window = context.partition_time_window
    args = dbt_build_args(
        window.start.date(),
        window.end.date(),
        {"reporting_currency": os.environ.get("JOBS_REPORTING_CURRENCY", "CAD").upper()},
    )
    buffered: list = []
    failure: Exception | None = None
    with warehouse_write_lock(paths, on_wait=context.log.info):
        try:
            for event in dbt.cli(args, context=context).stream():
                buffered.append(event)
        except Exception as exc:  # noqa: BLE001 - re-raised below, after what was built
            failure = exc
        counts = _row_counts(paths.warehouse_path, [_event_table(context, e) for e in buffered])
    for event in buffered:
        table = _event_table(context, event)
        if table in counts:
            event = event.with_metadata({**event.metadata, "dagster/row_count": counts[table]})
        yield event
    if failure is not None:
        raise failure


def _event_table(context: dg.AssetExecutionContext, event) -> str | None:
    """The warehouse table (model name) a dbt Output / AssetMaterialization is about."""
    if isinstance(event, dg.Output):
        return context.asset_key_for_output(event.output_name).path[-1]
    if isinstance(event, dg.AssetMaterialization):
        return event.asset_key.path[-1]
    return None


def _row_counts(warehouse: Path, tables: list[str | None]) -> dict[str, int]:
    """Row counts of the models dbt just built, read by us (dagster-dbt's fetch_row_counts
    opens the file with another configuration and breaks later connections)."""
    names = sorted({t for t in tables if t})
    if not names or not warehouse.exists():
        return {}
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        existing = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        for name in names:
            if name in existing:
                quoted = '"' + name.replace('"', '""') + '"'
                counts[name] = con.execute(f"select count(*) from {quoted}").fetchone()[0]
    return counts


@dbt_assets(
    manifest=dbt_project().manifest_path,
    select="fqn:job_lakehouse.staging.* fqn:job_lakehouse.intermediate.* fqn:job_lakehouse.marts.*",
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    dagster_dbt_translator=FolderGroupTranslator(),
    name="warehouse_models",
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Staging, intermediate and mart models built from the lake (dbt build: models + tests)."""
    yield from _run_dbt(context, dbt)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    select="fqn:job_lakehouse.ranking.*",
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    dagster_dbt_translator=FolderGroupTranslator(),
    name="ranking_models",
)
def ranking_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Marts built on the rankings: top matches per campaign and per-partition run stats."""
    yield from _run_dbt(context, dbt)
