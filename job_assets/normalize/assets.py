"""Normalization assets: raw payloads -> canonical Parquet lake + quarantine, with checks."""

import os

import dagster as dg

from job_assets.ingest.assets import SINGLE_RUN, partition_dates, raw_asset_key
from job_assets.ingest.envelope import JOB_SOURCES
from job_assets.normalize.day import normalize_day
from job_assets.normalize.enrich import load_taxonomies
from job_assets.normalize.lake import read_company_sizes
from job_assets.normalize.skills import skill_categories
from job_assets.partitions import daily_partitions
from job_assets.settings import get_paths
from job_assets.storage import atomic_path

POSTINGS = dg.AssetKey("normalized_job_postings")
QUARANTINE = dg.AssetKey("job_posting_quarantine")
INGEST_STATS = dg.AssetKey("job_ingest_stats")
SKILL_TAXONOMY = dg.AssetKey("skill_taxonomy")


def quarantine_max_share() -> float:
    return float(os.environ.get("JOBS_QUARANTINE_MAX_SHARE", "0.25"))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            POSTINGS,
            group_name="normalize",
            kinds={"polars", "parquet"},
            deps=[raw_asset_key(s) for s in JOB_SOURCES],
            description="Every source's postings in one validated, enriched canonical schema.",
        ),
        dg.AssetSpec(
            QUARANTINE,
            group_name="normalize",
            kinds={"polars", "parquet"},
            deps=[raw_asset_key(s) for s in JOB_SOURCES],
            description="Rows rejected by normalization, with failed rules and raw pointer.",
        ),
        dg.AssetSpec(
            INGEST_STATS,
            group_name="normalize",
            kinds={"parquet"},
            deps=[raw_asset_key(s) for s in JOB_SOURCES],
            description="Per partition and source: postings fetched, normalized, quarantined.",
        ),
        dg.AssetSpec(
            SKILL_TAXONOMY,
            group_name="normalize",
            kinds={"parquet"},
            description="The skills taxonomy in force (skill, category), for dim_skills.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "raw_count_reconciles",
            asset=POSTINGS,
            blocking=True,
            description="raw postings = normalized + quarantined, per source.",
        ),
        dg.AssetCheckSpec(
            "quarantine_share_within_threshold",
            asset=POSTINGS,
            description="Quarantined share per source stays under the threshold "
            "(JOBS_QUARANTINE_MAX_SHARE, default 0.25).",
        ),
        dg.AssetCheckSpec(
            "canonical_schema_valid",
            asset=POSTINGS,
            blocking=True,
            description="pandera CanonicalPosting validation; failure cases as metadata.",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
)
def normalized_job_postings(context: dg.AssetExecutionContext):
    paths = get_paths()
    taxonomies = load_taxonomies()
    company_sizes = read_company_sizes(paths)
    totals = {"normalized": 0, "quarantined": 0, "raw": 0}
    per_source: dict[str, dict[str, int]] = {
        s: {"raw": 0, "normalized": 0, "quarantined": 0} for s in JOB_SOURCES
    }
    failures: list[str] = []
    schema_problems: list[dict] = []
    type_drift: list[str] = []
    files = []
    for day in partition_dates(context):
        day_result = normalize_day(paths, day, taxonomies, company_sizes)
        files.append(day_result.postings_file)
        schema_problems.extend(day_result.schema_problems)
        for message in day_result.type_drift:
            context.log.warning(f"{day} {message}: read leniently, the odd field left empty")
            type_drift.append(f"{day} {message}")
        for source, c in day_result.counts.items():
            counts = per_source[source]
            for key in ("raw", "normalized", "quarantined"):
                counts[key] += c[key]
                totals[key] += c[key]
            if c["raw"] != c["normalized"] + c["quarantined"]:
                failures.append(
                    f"{day} {source}: raw {c['raw']} != {c['normalized']} + {c['quarantined']}"
                )

    # The taxonomy in force, for dim_skills (replaced whole: it is configuration, not history).
    skills_frame = skill_categories(taxonomies.skills)
    with atomic_path(paths.lake_dir / "skills" / "skills.parquet") as tmp:
        skills_frame.write_parquet(tmp)

    shares = {s: (c["quarantined"] / c["raw"] if c["raw"] else 0.0) for s, c in per_source.items()}
    threshold = quarantine_max_share()
    over = {s: round(v, 4) for s, v in shares.items() if v > threshold}
    yield dg.MaterializeResult(
        asset_key=POSTINGS,
        metadata={
            "dagster/row_count": totals["normalized"],
            "raw_postings": totals["raw"],
            "quarantined": totals["quarantined"],
            "per_source": per_source,
            "taxonomy_version": taxonomies.version,
            "reporting_currency": taxonomies.reporting_currency,
            "files": files,
            "payload_type_drift": type_drift,
        },
    )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE,
        metadata={
            "dagster/row_count": totals["quarantined"],
            "per_source": {s: c["quarantined"] for s, c in per_source.items()},
        },
    )
    yield dg.MaterializeResult(
        asset_key=INGEST_STATS,
        metadata={"dagster/row_count": len(files) * len(JOB_SOURCES), "per_source": per_source},
    )
    yield dg.MaterializeResult(
        asset_key=SKILL_TAXONOMY,
        metadata={"dagster/row_count": skills_frame.height, "taxonomy_version": taxonomies.version},
    )
    yield dg.AssetCheckResult(
        check_name="raw_count_reconciles",
        asset_key=POSTINGS,
        passed=not failures,
        metadata={"mismatches": failures, **{f"{s}_raw": c["raw"] for s, c in per_source.items()}},
    )
    yield dg.AssetCheckResult(
        check_name="quarantine_share_within_threshold",
        asset_key=POSTINGS,
        passed=not over,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "threshold": threshold,
            "shares": {s: round(v, 4) for s, v in shares.items()},
            "over_threshold": over,
        },
    )
    yield dg.AssetCheckResult(
        check_name="canonical_schema_valid",
        asset_key=POSTINGS,
        passed=not schema_problems,
        metadata={"failure_cases": schema_problems[:50], "failure_count": len(schema_problems)},
    )
