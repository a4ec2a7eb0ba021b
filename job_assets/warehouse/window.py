"""Pure helpers for the dbt partition window (tested directly)."""

from __future__ import annotations

import datetime as dt
import json


def dbt_vars_for_window(start: dt.date, end: dt.date) -> dict[str, str]:
    """Half-open window [start, end) as dbt vars. ``end`` must be after ``start``."""
    if end <= start:
        raise ValueError(f"empty partition window: {start} .. {end}")
    return {"min_date": start.isoformat(), "max_date": end.isoformat()}


def dbt_build_args(start: dt.date, end: dt.date, extra_vars: dict | None = None) -> list[str]:
    variables = {**dbt_vars_for_window(start, end), **(extra_vars or {})}
    return ["build", "--vars", json.dumps(variables, sort_keys=True)]
