"""Columns computed once per distinct value, remembered across the batches of a day.

Pure module (no Dagster). Titles, company names and locations repeat: a 1M-posting benchmark
day has 9,600 distinct titles, 32,000 company names and 167 location texts, while each of its
40 batches of 25k postings holds 3-5k distinct titles. Classifying a title (a few dozen
regexes), folding a name or parsing a location is done once per value for the day instead of
once per batch it appears in (and a batch pays a planning cost per computation, whatever its
number of values).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import polars as pl


class DistinctMemo:
    """``compute`` (a frame of distinct ``keys`` combinations -> the same frame with columns
    added), applied once per distinct combination over every lookup. Nulls are values like any
    other. Safe to share between threads: a combination two threads meet at once may be
    computed twice, with the same result, and is kept once."""

    def __init__(
        self, keys: str | Sequence[str], compute: Callable[[pl.DataFrame], pl.DataFrame]
    ) -> None:
        self._keys = [keys] if isinstance(keys, str) else list(keys)
        self._compute = compute
        self._known: pl.DataFrame | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        known = self._known
        return 0 if known is None else known.height

    def lookup(self, values: pl.Series | pl.DataFrame) -> pl.DataFrame:
        """The computed columns for ``values`` (a series for one key, else a frame holding the
        key columns), row-aligned with it; the key columns are left out."""
        keys = self._keys
        frame = (
            values.rename(keys[0]).to_frame()
            if isinstance(values, pl.Series)
            else values.select(keys)
        )
        with self._lock:
            known = self._known
        distinct = frame.unique()
        new = (
            distinct
            if known is None
            else distinct.join(known.select(keys), on=keys, how="anti", nulls_equal=True)
        )
        if new.height:
            computed = _owned(self._compute(new))
            with self._lock:
                base = self._known
                if base is None:
                    self._known = computed
                else:
                    fresh = computed.join(base.select(keys), on=keys, how="anti", nulls_equal=True)
                    self._known = pl.concat([base, fresh])
                known = self._known
        assert known is not None
        return frame.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left").drop(
            keys
        )


def _owned(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its strings copied into buffers of its own. A polars string column taken
    out of a larger one (by ``unique``, a filter or a join) still points into the larger one's
    buffers, so a memo keeping a few values of every batch kept every batch's text alive: a
    1M-posting day peaked at 2.4 GB with the day's location memo against 1.6 GB without it.
    Arrow's classic string layout holds its own bytes, so the round trip copies them."""
    return pl.from_arrow(frame.to_arrow()).cast(frame.schema)  # type: ignore[union-attr]
