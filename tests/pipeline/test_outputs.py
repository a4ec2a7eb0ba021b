"""What reaches people: the Hyper extract matches DuckDB, and run summaries reach a webhook."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest
from tableauhyperapi import Connection, HyperProcess, Telemetry

from job_assets.exports.publish import PUBLISHED_TABLES
from job_assets.normalize.assets import normalized_job_postings
from job_assets.notify.sensors import run_summary_on_failure, run_summary_on_success
from job_assets.notify.webhook import verify_signature
from tests.notify.receivers import WebhookReceiver
from tests.pipeline.layers import hyper_counts

pytestmark = pytest.mark.slow
SECRET = "whsec-test-4c1d9e"


def _profile_duckdb(parquet: str) -> dict:
    with duckdb.connect() as con:
        rel = con.sql("select * from read_parquet($p)", params={"p": parquet})
        columns = list(zip(rel.columns, [str(t) for t in rel.types], strict=True))
        exprs = ["count(*)"]
        for name, dtype in columns:
            quoted = '"' + name + '"'
            exprs.append(f"count({quoted})")
            if dtype in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "SMALLINT"):
                # summed as doubles: 60-bit job_sk values overflow a BIGINT sum in Hyper
                exprs.append(f"round(sum({quoted}::double), 2)")
            elif dtype == "VARCHAR":
                exprs.append(f"sum(length({quoted}))")
        row = con.execute(
            f"select {', '.join(exprs)} from read_parquet($p)", {"p": parquet}
        ).fetchone()
    return {"columns": columns, "values": list(row)}


def test_every_hyper_table_matches_duckdb_in_rows_and_column_checksums(pipeline):
    hyper_path = pipeline.paths.artifacts_dir / "job_lakehouse.hyper"
    with (
        HyperProcess(
            Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_config": ""}
        ) as hyper,
        Connection(hyper.endpoint, hyper_path) as conn,
    ):
        tables = {t.name.unescaped for t in conn.catalog.get_table_names("Extract")}
        assert tables == set(PUBLISHED_TABLES)
        for table in sorted(tables):
            expected = _profile_duckdb(str(pipeline.paths.published_dir / f"{table}.parquet"))
            exprs = ["COUNT(*)"]
            for name, dtype in expected["columns"]:
                quoted = '"' + name + '"'
                exprs.append(f"COUNT({quoted})")
                if dtype in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "SMALLINT"):
                    exprs.append(f"ROUND(SUM(CAST({quoted} AS DOUBLE PRECISION)), 2)")
                elif dtype == "VARCHAR":
                    exprs.append(f"SUM(CHAR_LENGTH({quoted}))")
            got = list(
                conn.execute_list_query(f'SELECT {", ".join(exprs)} FROM "Extract"."{table}"')[0]
            )
            assert got == pytest.approx(expected["values"], rel=1e-9), table
        # the star layout holds together: job_sk is unique in fact_jobs and every ranking and
        # skill row finds its job (the Ranked jobs datasource joins on it)
        assert (
            conn.execute_scalar_query(
                'SELECT COUNT(*) - COUNT(DISTINCT "job_sk") FROM "Extract"."fact_jobs"'
            )
            == 0
        )
        for child in ("ranked_jobs", "job_skills"):
            orphans = conn.execute_scalar_query(
                f'SELECT COUNT(*) FROM "Extract"."{child}" AS c WHERE NOT EXISTS '
                '(SELECT 1 FROM "Extract"."fact_jobs" AS f WHERE f."job_sk" = c."job_sk")'
            )
            assert orphans == 0, child
        # every ranking finds its campaign, which is published once (its latest ranking)
        assert (
            conn.execute_scalar_query(
                'SELECT COUNT(*) FROM "Extract"."ranked_jobs" AS r WHERE NOT EXISTS '
                '(SELECT 1 FROM "Extract"."dim_campaigns" AS c '
                'WHERE c."campaign_id" = r."campaign_id")'
            )
            == 0
        )
        assert conn.execute_scalar_query(
            'SELECT COUNT(*) FROM "Extract"."dim_campaigns"'
        ) == conn.execute_scalar_query(
            'SELECT COUNT(DISTINCT "campaign_id") FROM "Extract"."ranked_jobs"'
        )
        # every ranking finds its matched/missing skills, published once per skill set
        assert (
            conn.execute_scalar_query(
                'SELECT COUNT(*) FROM "Extract"."ranked_jobs" AS r WHERE NOT EXISTS '
                '(SELECT 1 FROM "Extract"."dim_skill_matches" AS s '
                'WHERE s."skill_match_sk" = r."skill_match_sk")'
            )
            == 0
        )
        assert conn.execute_scalar_query(
            'SELECT COUNT(*) FROM "Extract"."dim_skill_matches"'
        ) < conn.execute_scalar_query('SELECT COUNT(*) FROM "Extract"."ranked_jobs"')
        # and every job skill has its category in dim_skills
        assert (
            conn.execute_scalar_query(
                'SELECT COUNT(*) FROM "Extract"."job_skills" AS j WHERE NOT EXISTS '
                '(SELECT 1 FROM "Extract"."dim_skills" AS s WHERE s."skill" = j."skill")'
            )
            == 0
        )
    # and the extract holds what the warehouse holds now (other tests may have run more days
    # since the first run: both reflect the latest run)
    with duckdb.connect(str(pipeline.paths.warehouse_path), read_only=True) as con:
        facts = con.execute("select count(*) from fact_jobs").fetchone()[0]
    assert hyper_counts(hyper_path)["fact_jobs"] == facts


def _run_sensor(sensor, pipeline_instance, run_id, event_type):
    run = pipeline_instance.get_run_by_id(run_id)
    event = next(
        e
        for e in pipeline_instance.all_logs(run_id)
        if e.dagster_event and e.dagster_event.event_type == event_type
    ).dagster_event
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=pipeline_instance,
        dagster_run=run,
        dagster_event=event,
    )
    if event_type == dg.DagsterEventType.RUN_FAILURE:
        context = context.for_run_failure()
    sensor(context)


def test_success_summary_reaches_the_webhook_signed_with_the_stage_counts(pipeline, monkeypatch):
    with WebhookReceiver(statuses=[500, 500]) as receiver:  # two failures, then 200
        monkeypatch.setenv("JOBS_WEBHOOK_URLS", "json+" + receiver.url())
        monkeypatch.setenv("JOBS_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("JOBS_DATA_DIR", str(pipeline.paths.data_dir))
        _run_sensor(
            run_summary_on_success,
            pipeline.instance,
            pipeline.result.run_id,
            dg.DagsterEventType.RUN_SUCCESS,
        )
        requests = list(receiver.requests)
    assert len(requests) == 3  # retried through the 500s
    final = requests[-1]
    headers = {k.lower(): v for k, v in final.headers.items()}
    assert verify_signature(
        final.body, SECRET, int(headers["x-jobs-timestamp"]), headers["x-jobs-signature"]
    )
    assert not verify_signature(
        final.body, "wrong", int(headers["x-jobs-timestamp"]), headers["x-jobs-signature"]
    )
    payload = json.loads(final.body)
    counts = payload["stage_counts"]
    raw_total = sum(pipeline.snapshot["raw"].values())
    assert counts["fetched"] == raw_total
    assert counts["normalized"] == pipeline.snapshot["lake_rows"]
    assert counts["quarantined"] == pipeline.snapshot["quarantine_rows"]
    assert counts["unique"] == len(pipeline.snapshot["fact_keys"])
    assert counts["ranked"] == len(pipeline.snapshot["rankings"])
    assert counts["exported"] == pipeline.snapshot["hyper"]["ranked_jobs"]
    assert payload["status"] == "SUCCESS" and payload["partitions"] == ["2026-11-10"]
    assert payload["top_matches"], "new top matches per campaign are listed"
    assert all(m["apply_url"] for m in payload["top_matches"])
    assert SECRET not in final.body.decode()


def test_a_failed_run_sends_a_failure_summary_naming_the_failed_step(
    pipeline, tmp_path, monkeypatch
):
    broken = tmp_path / "taxonomy"
    broken.mkdir()
    for f in pipeline.paths.taxonomy_dir.glob("*.yml"):
        (broken / f.name).write_text(f.read_text())
    (broken / "skills.yml").write_text("skills: [this is: not valid")  # breaks normalization
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(broken))
    result = dg.materialize(
        [normalized_job_postings],
        partition_key="2026-11-10",
        instance=pipeline.instance,
        raise_on_error=False,
    )
    assert not result.success
    with WebhookReceiver() as receiver:
        monkeypatch.setenv("JOBS_WEBHOOK_URLS", "json+" + receiver.url())
        monkeypatch.delenv("JOBS_WEBHOOK_SECRET", raising=False)
        _run_sensor(
            run_summary_on_failure,
            pipeline.instance,
            result.run_id,
            dg.DagsterEventType.RUN_FAILURE,
        )
        (request,) = receiver.requests
    payload = json.loads(request.body)
    assert payload["status"] == "FAILURE"
    assert any(step.startswith("normalized_job_postings") for step in payload["failed_steps"])
    assert "failed" in payload["text"]


def test_the_packaged_workbook_validates_and_names_only_columns_in_its_hyper(pipeline, tmp_path):
    import zipfile

    from job_assets.exports.twb_validation import validate_twb
    from job_assets.exports.workbook import hyper_table_columns, referenced_columns_from_twb

    with zipfile.ZipFile(pipeline.paths.artifacts_dir / "job_lakehouse.twbx") as zf:
        twb = zf.read("job_lakehouse.twb")
        zf.extract("Data/Extracts/job_lakehouse.hyper", tmp_path)
    assert validate_twb(twb) == []
    packaged = hyper_table_columns(tmp_path / "Data" / "Extracts" / "job_lakehouse.hyper")
    for table, columns in referenced_columns_from_twb(twb).items():
        present = {name for name, _ in packaged[table]}
        assert columns <= present, (table, columns - present)
