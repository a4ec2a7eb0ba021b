"""Dagster entry point (workspace.yaml -> job_assets.definitions): wiring only."""

import dagster as dg

from job_assets.exports.assets import job_lakehouse_hyper, job_lakehouse_workbook, published_tables
from job_assets.ingest.assets import raw_payload_assets
from job_assets.ingest.company_assets import company_profiles, raw_glassdoor_payloads
from job_assets.jobs import daily_lakehouse_job, daily_lakehouse_schedule
from job_assets.normalize.assets import normalized_job_postings
from job_assets.notify.sensors import run_summary_sensors
from job_assets.ranking.assets import job_rankings
from job_assets.warehouse.assets import dbt_resource, ranking_models, warehouse_models

defs = dg.Definitions(
    assets=[
        *raw_payload_assets,
        normalized_job_postings,
        raw_glassdoor_payloads,
        company_profiles,
        warehouse_models,
        job_rankings,
        ranking_models,
        published_tables,
        job_lakehouse_hyper,
        job_lakehouse_workbook,
    ],
    jobs=[daily_lakehouse_job],
    schedules=[daily_lakehouse_schedule],
    sensors=run_summary_sensors,
    resources={"dbt": dbt_resource()},
    # One step at a time: 2 cores, and every warehouse writer is serialized anyway.
    executor=dg.in_process_executor,
)
