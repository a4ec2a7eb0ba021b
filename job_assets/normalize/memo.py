"""Columns computed once per distinct value, remembered across the batches of a day.

Pure module (no Dagster). Titles and company names repeat: a 1M-posting benchmark day has 9,600
distinct titles and 32,000 company names, and each of its 40 batches of 25k postings holds 3-5k
distinct titles. Classifying a title (a few dozen regexes) or folding a name is done once per
value for the day instead of once per batch it appears in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import polars as pl


class DistinctMemo:
    """``compute`` (a frame of distinct ``key`` values -> the same frame with columns added),
    applied once per distinct value over every lookup. Safe to share between threads: a value
    two threads meet at once may be computed twice, with the same result."""

    def __init__(self, key: str, compute: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
        self._key = key
        self._compute = compute
        self._known: pl.DataFrame | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        known = self._known
        return 0 if known is None else known.height

    def lookup(self, values: pl.Series) -> pl.DataFrame:
        """The computed columns for ``values``, row-aligned with it (the key column left out)."""
        key = self._key
        frame = values.rename(key).to_frame()
        with self._lock:
            known = self._known
        distinct = frame.unique()
        new = (
            distinct
            if known is None
            else distinct.join(known.select(key), on=key, how="anti", nulls_equal=True)
        )
        if new.height:
            computed = self._compute(new)
            with self._lock:
                base = self._known
                if base is None:
                    self._known = computed
                else:
                    fresh = computed.join(base.select(key), on=key, how="anti", nulls_equal=True)
                    self._known = pl.concat([base, fresh])
                known = self._known
        assert known is not None
        return frame.join(known, on=key, how="left", nulls_equal=True, maintain_order="left").drop(
            key
        )
