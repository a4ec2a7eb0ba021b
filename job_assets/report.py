"""Print where a run's outputs are: raw files, Parquet lake, warehouse tables, exports."""

from __future__ import annotations

import sys

import duckdb

from job_assets.settings import get_paths
from job_assets.warehouse.lock import warehouse_write_lock


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def main() -> int:
    paths = get_paths()
    out = sys.stdout.write
    out(f"\nData root: {paths.data_dir}\n\nRaw payloads (verbatim, gzip JSON lines):\n")
    for path in sorted(paths.raw_dir.glob("*/*.jsonl.gz")):
        out(f"  {path.relative_to(paths.data_dir)}  {_size(path.stat().st_size)}\n")
    out("\nParquet lake:\n")
    for table_dir in sorted(p for p in paths.lake_dir.glob("*") if p.is_dir()):
        files = sorted(table_dir.rglob("*.parquet"))
        total = sum(f.stat().st_size for f in files)
        out(f"  {table_dir.relative_to(paths.data_dir)}/  {len(files)} file(s), {_size(total)}\n")
    out(f"\nDuckDB warehouse: {paths.warehouse_path}\n")
    if paths.warehouse_path.exists():
        with (
            warehouse_write_lock(paths, timeout_s=60),
            duckdb.connect(str(paths.warehouse_path), read_only=True) as con,
        ):
            tables = con.execute(
                "select table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
            for (name,) in tables:
                rows = con.execute(f'select count(*) from "{name}"').fetchone()[0]  # noqa: S608 - names from the catalog
                out(f"  {name:<32} {rows:>10,} rows\n")
    out("\nExports:\n")
    for path in sorted(paths.artifacts_dir.glob("*")):
        out(f"  {path}  {_size(path.stat().st_size)}\n")
    out(f"  published snapshots for readers: {paths.published_dir}\n")
    out("\nNext: `make dev` opens the Dagster UI at http://127.0.0.1:3000\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
