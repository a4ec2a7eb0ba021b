"""Benchmark ``extract_skills``: postings/s and peak RSS on N synthetic ~3 KB descriptions.

Usage: ``python bench/skills_bench.py [N] [--chunk 50000] [--batch-size 50000] [--repeat 1]``

CPU seconds (user+sys of all threads) are the load-independent figure on a shared machine; with
``--repeat`` the whole run is repeated and the run with the least CPU time is reported.

Descriptions are generated deterministically, ``--chunk`` rows at a time (as the pipeline reads
Parquet in batches), so 1M postings never sit in memory at once. Each chunk is built from 1,024
templates mixing filler prose, trap sentences (R&D, Series C, go-to-market, example.net, 25°C) and
skill lists, plus a per-row suffix so no two texts are equal.
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import polars as pl

from job_assets.normalize.skills import SkillTaxonomy, extract_skills, load_skill_taxonomy

_FILLER = [
    "We are looking for a motivated engineer to join our growing team in a fast-paced setting.",
    "You will collaborate closely with product managers, designers and other engineers daily.",
    "Going forward you will own critical services, review code and mentor junior colleagues.",
    "Our R&D team closed a Series C round and partners with C-level leaders across regions.",
    "Visit example.net to learn about our go-to-market plans, our culture and our benefits.",
    "We offer health, dental and vision insurance, a generous 401(k) match and paid leave.",
    "Keep the lab at 25°C; a spark of creativity and a swift response are always welcome.",
    "Responsibilities include designing, building and operating reliable distributed systems.",
    "Candidates should communicate clearly, write documentation and enjoy solving problems.",
    "Compensation: $120,000 - $160,000 per year, plus equity and an annual learning budget.",
]
_SKILLS = [
    "Python", "Go", "R", "C++", "C#", ".NET", "SQL", "Postgres", "Spark", "k8s", "React.js",
    "Node.js", "AWS", "Azure", "dbt", "Airflow", "Excel", "Java", "JavaScript", "TypeScript",
    "Docker", "Kubernetes", "Terraform", "Kafka", "Snowflake", "C", "Rust", "Scala", "GCP",
    "PyTorch", "TensorFlow", "pandas", "MySQL", "MongoDB", "Redis", "GraphQL", "Django", "Flask",
    "Tableau", "Power BI", "Jira", "Git", "Linux", "CI/CD", "GitHub Actions", "Swift", "Kotlin",
]  # fmt: skip


def _templates(count: int = 1024, size: int = 3000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < size:
            if rng.random() < 0.3:
                a, b, c = rng.sample(_SKILLS, 3)
                parts.append(f"Experience with {a}, {b} and {c} is a plus.")
            else:
                parts.append(rng.choice(_FILLER))
        out.append(" ".join(parts))
    return out


def synthetic_chunk(start: int, n: int, templates: list[str]) -> pl.Series:
    """Rows ``start .. start+n`` of the deterministic synthetic corpus."""
    idx = pl.int_range(start, start + n, eager=True, dtype=pl.Int64)
    frame = pl.DataFrame({"i": idx}).select(
        pl.concat_str(
            pl.lit(pl.Series(templates)).gather(pl.col("i") % len(templates)),
            pl.lit(" Job "),
            pl.col("i").cast(pl.String),
            pl.lit("."),
        ).alias("description")
    )
    return frame.get_column("description")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(
    args: argparse.Namespace, taxonomy: SkillTaxonomy, templates: list[str]
) -> tuple[float, float, int, int]:
    """One pass over the corpus: (wall s, CPU s, text bytes, skills found)."""
    elapsed = cpu = 0.0
    total_bytes = total_skills = 0
    for start in range(0, args.n, args.chunk):
        chunk = synthetic_chunk(start, min(args.chunk, args.n - start), templates)
        total_bytes += int(chunk.str.len_bytes().sum())
        t0, c0 = time.perf_counter(), _cpu_seconds()
        out = extract_skills(chunk, taxonomy, batch_size=args.batch_size)
        elapsed += time.perf_counter() - t0
        cpu += _cpu_seconds() - c0
        total_skills += int(out.list.len().sum())
        del chunk, out
    return elapsed, cpu, total_bytes, total_skills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    taxonomy = load_skill_taxonomy()
    templates = _templates()
    runs = [_run(args, taxonomy, templates) for _ in range(max(args.repeat, 1))]
    elapsed, cpu, total_bytes, total_skills = min(runs, key=lambda run: run[1])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"n={args.n:,} chunk={args.chunk:,} batch_size={args.batch_size:,} "
        f"avg_bytes={total_bytes / max(args.n, 1):,.0f} skills={total_skills:,} "
        f"best of {len(runs)}\n"
        f"extract_skills: {elapsed:.2f} s, {args.n / elapsed:,.0f} postings/s, "
        f"peak RSS {peak_mb:,.0f} MB; CPU {cpu:.2f} s (user+sys, all threads; "
        f"load-independent cost: {args.n / max(cpu, 1e-9):,.0f} postings per CPU-second)"
    )


if __name__ == "__main__":
    main()
