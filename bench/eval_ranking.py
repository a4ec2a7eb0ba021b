"""Score the hand-labeled dev set and print precision@10 / NDCG@10 per campaign.

Usage: ``python bench/eval_ranking.py [--dev-set DIR] [--ranking PATH] [-k 10] [--min-ndcg 0.85]
[--show-top N]``. Exits 1 if any campaign's NDCG@k is below ``--min-ndcg``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from job_assets.ranking.evaluation import evaluate, load_labeled_set
from job_assets.ranking.scoring import load_ranking_config, score_jobs
from job_assets.settings import REPO_ROOT

DEV_SET = REPO_ROOT / "tests" / "ranking" / "dev_set"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev-set", type=Path, default=DEV_SET)
    parser.add_argument("--ranking", type=Path, default=None, help="ranking.yml to evaluate")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--min-ndcg", type=float, default=0.85)
    parser.add_argument("--show-top", type=int, default=0, help="print each campaign's top N")
    args = parser.parse_args(argv)

    dev = load_labeled_set(args.dev_set)
    campaigns, jobs, labels = dev.campaigns, dev.jobs, dev.labels
    config = load_ranking_config(args.ranking)
    result = score_jobs(jobs, campaigns, config, dev.as_of)
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
