"""Loading the YAML files under ``taxonomy_config/`` and fingerprinting the version in force."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from job_assets.settings import get_paths


class TaxonomyError(ValueError):
    """A taxonomy file is missing or malformed; the message names the file and the problem."""


def taxonomy_path(name: str, taxonomy_dir: Path | None = None) -> Path:
    base = taxonomy_dir or get_paths().taxonomy_dir
    return base / name


def load_yaml(name: str, taxonomy_dir: Path | None = None) -> Any:
    """Parse one taxonomy file, e.g. ``load_yaml("skills.yml")``."""
    path = taxonomy_path(name, taxonomy_dir)
    return _load_cached(str(path), path.stat().st_mtime_ns if path.exists() else -1)


@lru_cache(maxsize=64)
def _load_cached(path: str, _mtime_ns: int) -> Any:
    p = Path(path)
    if not p.exists():
        raise TaxonomyError(f"taxonomy file not found: {p}")
    try:
        with p.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{p.name}: invalid YAML: {exc}") from exc


def taxonomy_version(names: list[str], taxonomy_dir: Path | None = None) -> str:
    """A short content hash of the given files: recorded in asset metadata so a user can tell
    which taxonomy enriched a partition."""
    digest = hashlib.sha256()
    for name in sorted(names):
        path = taxonomy_path(name, taxonomy_dir)
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:12]
