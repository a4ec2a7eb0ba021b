"""Offline ranking quality: precision@k and NDCG@k of rankings against graded labels (0-3).

Unlabeled jobs count as grade 0 (not relevant). Pure module: no Dagster import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from job_assets.ranking.campaigns import CampaignsConfig, load_campaigns

RELEVANT_GRADE = 2  # grade >= 2 counts as relevant for precision


def precision_at_k(
    ranked_ids: Sequence[str],
    grades: Mapping[str, int],
    k: int = 10,
    relevant_grade: int = RELEVANT_GRADE,
) -> float:
    """Share of the top ``k`` ids whose grade is >= ``relevant_grade`` (denominator ``k``)."""
    if k <= 0:
        raise ValueError("k must be positive")
    hits = sum(1 for j in list(ranked_ids)[:k] if grades.get(j, 0) >= relevant_grade)
    return hits / k


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with the standard log2(rank + 1) discount."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k with gain ``2**grade - 1``; the ideal ordering uses every labeled grade.

    Returns 1.0 when no labeled job has a positive grade (nothing to find).
    """
    if k <= 0:
        raise ValueError("k must be positive")
    gains = [2 ** grades.get(j, 0) - 1 for j in list(ranked_ids)[:k]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    ideal_dcg = dcg(ideal)
    if ideal_dcg == 0:
        return 1.0
    return dcg(gains) / ideal_dcg


def evaluate(rankings: pl.DataFrame, labels: pl.DataFrame, k: int = 10) -> pl.DataFrame:
    """Per-campaign metrics.

    ``rankings``: campaign_id, job_id, rank. ``labels``: campaign_id, job_id, grade.
    Returns campaign_id, n_ranked, n_labeled, n_relevant, precision_at_k, ndcg_at_k sorted by
    campaign_id; campaigns present only in ``labels`` get an empty ranking (scores 0).
    """
    ranked = rankings.select("campaign_id", "job_id", "rank").sort("campaign_id", "rank")
    by_campaign: dict[str, list[str]] = {
        cid: ids
        for cid, ids in ranked.group_by("campaign_id", maintain_order=True)
        .agg(pl.col("job_id"))
        .iter_rows()
    }
    grade_map: dict[str, dict[str, int]] = {}
    for cid, job_ids, gs in (
        labels.select("campaign_id", "job_id", pl.col("grade").cast(pl.Int64))
        .group_by("campaign_id")
        .agg("job_id", "grade")
        .iter_rows()
    ):
        grade_map[cid] = dict(zip(job_ids, gs, strict=True))
    rows = []
    for cid in sorted(set(by_campaign) | set(grade_map)):
        ids = by_campaign.get(cid, [])
        g = grade_map.get(cid, {})
        rows.append(
            {
                "campaign_id": cid,
                "n_ranked": len(ids),
                "n_labeled": len(g),
                "n_relevant": sum(1 for v in g.values() if v >= RELEVANT_GRADE),
                "precision_at_k": precision_at_k(ids, g, k),
                "ndcg_at_k": ndcg_at_k(ids, g, k),
            }
        )
    schema = {
        "campaign_id": pl.String,
        "n_ranked": pl.Int64,
        "n_labeled": pl.Int64,
        "n_relevant": pl.Int64,
        "precision_at_k": pl.Float64,
        "ndcg_at_k": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class LabeledSet:
    """A hand-labeled evaluation set: campaigns, postings, graded labels and its "now"."""

    campaigns: CampaignsConfig
    jobs: pl.DataFrame
    labels: pl.DataFrame
    as_of: datetime


def load_postings(path: Path) -> pl.DataFrame:
    """Postings from Parquet or JSON lines, cast to the ``fact_jobs`` column types."""
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    df = pl.read_ndjson(path, infer_schema_length=None)
    return df.with_columns(
        pl.col("posted_at").str.to_datetime(time_zone="UTC"),
        pl.col("salary_min_norm", "salary_max_norm").cast(pl.Int64),
        pl.col("company_rating").cast(pl.Float64),
        pl.col("skills").cast(pl.List(pl.String)),
        pl.col("city", "region", "country").cast(pl.String),
    )


def load_labeled_set(directory: Path) -> LabeledSet:
    """Read ``campaigns.yml``, ``postings.parquet``/``postings.jsonl``, ``labels.csv``
    (campaign_id, job_id, grade 0-3) and ``as_of.txt`` (ISO timestamp) from ``directory``."""
    parquet = directory / "postings.parquet"
    jobs = load_postings(parquet if parquet.exists() else directory / "postings.jsonl")
    labels = pl.read_csv(
        directory / "labels.csv",
        schema={"campaign_id": pl.String, "job_id": pl.String, "grade": pl.Int64},
    )
    as_of = datetime.fromisoformat((directory / "as_of.txt").read_text().strip())
    return LabeledSet(load_campaigns(directory / "campaigns.yml"), jobs, labels, as_of)
