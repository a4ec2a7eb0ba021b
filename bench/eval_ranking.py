"""Score the hand-labeled dev set and print precision@10 / NDCG@10 per campaign.

Usage: ``python bench/eval_ranking.py [--dev-set DIR] [--ranking PATH] [-k 10] [--min-ndcg 0.85]
[--show-top N]``. Exits 1 if any campaign's NDCG@k is below ``--min-ndcg``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from job_assets.ranking.campaigns import load_campaigns
from job_assets.ranking.evaluation import evaluate
from job_assets.ranking.scoring import load_ranking_config, score_jobs
from job_assets.settings import REPO_ROOT

DEV_SET = REPO_ROOT / "tests" / "ranking" / "dev_set"
DEV_NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)  # the dev set's postings are dated relative to this


def load_dev_postings(dev_dir: Path = DEV_SET) -> pl.DataFrame:
    """The dev-set postings with the ``fact_jobs`` column types."""
    parquet = dev_dir / "postings.parquet"
    if parquet.exists():
        return pl.read_parquet(parquet)
    df = pl.read_ndjson(dev_dir / "postings.jsonl", infer_schema_length=None)
    return df.with_columns(
        pl.col("posted_at").str.to_datetime(time_zone="UTC"),
        pl.col("salary_min_norm", "salary_max_norm").cast(pl.Int64),
        pl.col("company_rating").cast(pl.Float64),
        pl.col("skills").cast(pl.List(pl.String)),
        pl.col("country", "region", "city").cast(pl.String),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev-set", type=Path, default=DEV_SET)
    parser.add_argument("--ranking", type=Path, default=None, help="ranking.yml to evaluate")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--min-ndcg", type=float, default=0.85)
    parser.add_argument("--show-top", type=int, default=0, help="print each campaign's top N")
    args = parser.parse_args(argv)

    campaigns = load_campaigns(args.dev_set / "campaigns.yml")
    config = load_ranking_config(args.ranking)
    jobs = load_dev_postings(args.dev_set)
    labels = pl.read_csv(args.dev_set / "labels.csv", schema_overrides={"job_id": pl.String})
    result = score_jobs(jobs, campaigns, config, DEV_NOW)
    metrics = evaluate(result.rankings, labels, k=args.k)

    print(f"ruleset {config.version}; {jobs.height} postings; {len(campaigns.campaigns)} campaigns")
    header = f"{'campaign':<18}{'ranked':>7}{'labeled':>8}{'relevant':>9}"
    header += f"{'P@' + str(args.k):>8}{'NDCG@' + str(args.k):>9}"
    print(header)
    failed = []
    for row in metrics.iter_rows(named=True):
        flag = "" if row["ndcg_at_k"] >= args.min_ndcg else "  < target"
        if flag:
            failed.append(row["campaign_id"])
        print(
            f"{row['campaign_id']:<18}{row['n_ranked']:>7}{row['n_labeled']:>8}"
            f"{row['n_relevant']:>9}{row['precision_at_k']:>8.2f}{row['ndcg_at_k']:>9.3f}{flag}"
        )
    print(f"mean NDCG@{args.k}: {metrics['ndcg_at_k'].mean():.3f}")
    if args.show_top:
        grades = labels.select("campaign_id", "job_id", "grade")
        top = (
            result.rankings.filter(pl.col("rank") <= args.show_top)
            .join(grades, on=["campaign_id", "job_id"], how="left")
            .select("campaign_id", "rank", "job_id", "score", pl.col("grade").fill_null(0))
        )
        with pl.Config(tbl_rows=200):
            print(top)
    if failed:
        print(f"NDCG@{args.k} below {args.min_ndcg} for: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
