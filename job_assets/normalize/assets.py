"""Normalization assets: raw payloads -> canonical Parquet lake + quarantine, with checks."""


import os

import dagster as dg
import pandera.errors
import polars as pl

from job_assets.ingest.assets import SINGLE_RUN, partition_dates, raw_asset_key
from job_assets.ingest.envelope import JOB_SOURCES
from job_assets.normalize.enrich import load_taxonomies, normalize_postings
from job_assets.normalize.lake import read_company_sizes, write_partition
from job_assets.normalize.mappers import map_raw_file
from job_assets.normalize.schema import CanonicalPosting
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
            POSTINGS, group_name="normalize", kinds={"polars", "parquet"},
            deps=[raw_asset_key(s) for s in JOB_SOURCES],
            description="Every source's postings in one validated, enriched canonical schema.",
        ),
        dg.AssetSpec(
            QUARANTINE, group_name="normalize", kinds={"polars", "parquet"},
            deps=[raw_asset_key(s) for s in JOB_SOURCES],
            description="Rows rejected by normalization, with failed rules and raw pointer.",
        ),
        dg.AssetSpec(
            INGEST_STATS, group_name="normalize", kinds={"parquet"},
            deps=[raw_asset_key(s) for s in JOB_SOURCES],
            description="Per partition and source: postings fetched, normalized, quarantined.",
        ),
        dg.AssetSpec(
            SKILL_TAXONOMY, group_name="normalize", kinds={"parquet"},
            description="The skills taxonomy in force (skill, category), for dim_skills.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec("raw_count_reconciles", asset=POSTINGS, blocking=True,
                          description="raw postings = normalized + quarantined, per source."),
        dg.AssetCheckSpec("quarantine_share_within_threshold", asset=POSTINGS,
                          description="Quarantined share per source stays under the threshold "
                          "(JOBS_QUARANTINE_MAX_SHARE, default 0.25)."),
        dg.AssetCheckSpec("canonical_schema_valid", asset=POSTINGS, blocking=True,
                          description="pandera CanonicalPosting validation; failure cases as "
                          "metadata."),
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
    files = []
    for day in partition_dates(context):
        results = []
        for source in JOB_SOURCES:
            raw_file = paths.raw_file(source, day.isoformat())
            mapped = map_raw_file(source, raw_file)
            result = normalize_postings(mapped, day, str(raw_file), taxonomies, company_sizes)
            results.append((source, mapped.height, result))
        postings = pl.concat([r.postings for _, _, r in results], how="vertical")
        quarantine = pl.concat([r.quarantine for _, _, r in results], how="vertical")
        stats = pl.DataFrame(
            {
                "source": [s for s, _, _ in results],
                "fetched": [n for _, n, _ in results],
                "normalized": [r.postings.height for _, _, r in results],
                "quarantined": [r.quarantine.height for _, _, r in results],
            },
            schema={"source": pl.String, "fetched": pl.Int64, "normalized": pl.Int64,
                    "quarantined": pl.Int64},
        ).with_columns(pl.lit(day).alias("partition_date"))
        try:
            CanonicalPosting.validate(postings, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            cases = exc.failure_cases.head(50)
            schema_problems.extend(cases.with_columns(pl.all().cast(pl.String)).to_dicts())
        files.append(str(write_partition(paths, "job_postings", day, postings)))
        write_partition(paths, "job_posting_quarantine", day, quarantine)
        write_partition(paths, "ingest_stats", day, stats)
        for source, raw_n, result in results:
            counts = per_source[source]
            counts["raw"] += raw_n
            counts["normalized"] += result.postings.height
            counts["quarantined"] += result.quarantine.height
            if raw_n != result.postings.height + result.quarantine.height:
                failures.append(f"{day} {source}: raw {raw_n} != "
                                f"{result.postings.height} + {result.quarantine.height}")
        totals["raw"] += sum(n for _, n, _ in results)
        totals["normalized"] += postings.height
        totals["quarantined"] += quarantine.height

    # The taxonomy in force, for dim_skills (replaced whole: it is configuration, not history).
    skills_frame = skill_categories(taxonomies.skills)
    with atomic_path(paths.lake_dir / "skills" / "skills.parquet") as tmp:
        skills_frame.write_parquet(tmp)

    shares = {
        s: (c["quarantined"] / c["raw"] if c["raw"] else 0.0) for s, c in per_source.items()
    }
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
        metadata={"dagster/row_count": skills_frame.height,
                  "taxonomy_version": taxonomies.version},
    )
    yield dg.AssetCheckResult(
        check_name="raw_count_reconciles", asset_key=POSTINGS, passed=not failures,
        metadata={"mismatches": failures, **{f"{s}_raw": c["raw"] for s, c in per_source.items()}},
    )
    yield dg.AssetCheckResult(
        check_name="quarantine_share_within_threshold", asset_key=POSTINGS, passed=not over,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"threshold": threshold, "shares": {s: round(v, 4) for s, v in shares.items()},
                  "over_threshold": over},
    )
    yield dg.AssetCheckResult(
        check_name="canonical_schema_valid", asset_key=POSTINGS, passed=not schema_problems,
        metadata={"failure_cases": schema_problems[:50], "failure_count": len(schema_problems)},
    )
