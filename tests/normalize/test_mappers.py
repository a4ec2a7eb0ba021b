"""Mapping raw files with DuckDB: a response line bigger than the reader's first object-size
limit (a huge ATS board in one body) still maps every posting; the fast typed form maps as the
lenient form does, and a file it cannot read is mapped by the lenient one."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest

from job_assets.ingest.envelope import JOB_SOURCES, FetchStats, RawResponse
from job_assets.ingest.sources import demo_records
from job_assets.normalize import mappers
from job_assets.normalize.mappers import MAPPED_SCHEMA, MAX_OBJECT_BYTES, map_raw_file
from job_assets.storage import write_jsonl_gz
from tests.conftest import FIXTURES


def _greenhouse_board(jobs: int, content_bytes: int) -> dict:
    return {
        "kind": "response",
        "source": "greenhouse",
        "endpoint": "/v1/boards/huge/jobs",
        "board": "huge",
        "company_name": "Huge Co",
        "fetched_at": "2026-03-02T11:00:00+00:00",
        "payload": {
            "jobs": [
                {
                    "id": 1000 + i,
                    "title": f"Engineer {i}",
                    "absolute_url": f"https://huge.example/jobs/{i}",
                    "location": {"name": "Toronto, Ontario, Canada"},
                    "first_published": "2026-03-01T09:00:00-05:00",
                    "content": "&lt;p&gt;" + "x" * content_bytes + "&lt;/p&gt;",
                }
                for i in range(jobs)
            ]
        },
    }


def _write(path: Path, envelopes: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for envelope in envelopes:
            fh.write(json.dumps(envelope) + "\n")
    return path


def test_a_board_above_the_object_size_limit_maps_every_job(tmp_path: Path) -> None:
    # one ~42 MB line (DuckDB's buffer takes lines up to about twice the limit)
    big = _greenhouse_board(jobs=10_000, content_bytes=4_000)
    assert len(json.dumps(big)) > 2 * MAX_OBJECT_BYTES
    small = _greenhouse_board(jobs=3, content_bytes=10)
    raw = _write(tmp_path / "greenhouse.jsonl.gz", [small, big])

    # the first attempt really hits the limit (else this test would not exercise the retry)
    with pytest.raises(duckdb.InvalidInputException, match="maximum_object_size"):
        duckdb.sql(mappers.mapping_sql("greenhouse"), params={"raw_file": str(raw)}).fetchall()

    mapped = map_raw_file("greenhouse", raw)
    assert mapped.height == 10_003
    big_rows = mapped.filter(mapped["raw_line"] == 2)
    assert big_rows.height == 10_000
    assert sorted(big_rows["raw_index"].to_list()) == list(range(1, 10_001))
    assert big_rows["source_job_id"].n_unique() == 10_000
    assert big_rows["company_name"].unique().to_list() == ["Huge Co"]


def test_a_line_above_the_retry_limit_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mappers, "MAX_OBJECT_BYTES_RETRY", MAX_OBJECT_BYTES)
    raw = _write(tmp_path / "greenhouse.jsonl.gz", [_greenhouse_board(10_000, 4_000)])
    with pytest.raises(duckdb.InvalidInputException, match="maximum_object_size"):
        map_raw_file("greenhouse", raw)


def test_a_limit_error_after_streamed_batches_hands_out_every_row_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measured: DuckDB reports a too-big line before it hands out any row, even after 320 MB of
    # small ones. The skip of rows already handed out is the safeguard if it ever does not, so
    # the error is injected mid-stream here: the first attempt fails at raw line 15,000 (DuckDB
    # runs several thousand lines ahead of the reader, so an earlier error shows up at once).
    smalls = [_greenhouse_board(jobs=3, content_bytes=10) for _ in range(20_000)]
    for n, board in enumerate(smalls):
        for job in board["payload"]["jobs"]:
            job["id"] += 10 * n
    raw = _write(tmp_path / "greenhouse.jsonl.gz", smalls)
    real_sql, retry_limit = mappers.mapping_sql, mappers.MAX_OBJECT_BYTES_RETRY

    def failing_first(
        source: str,
        max_object_bytes: int = MAX_OBJECT_BYTES,
        typed: bool = True,
        pay_ahead: bool = False,
    ) -> str:
        sql = real_sql(source, max_object_bytes, typed, pay_ahead)
        if max_object_bytes >= retry_limit:
            return sql
        return (
            f"select * from ({sql}) where case when raw_line >= 15000 "
            "then error('maximum_object_size exceeded (injected)') else true end"
        )

    monkeypatch.setattr(mappers, "mapping_sql", failing_first)
    # with no retry allowed, the first attempt hands out rows, then fails
    monkeypatch.setattr(mappers, "MAX_OBJECT_BYTES_RETRY", MAX_OBJECT_BYTES)
    handed_out = 0
    # (mid-stream, DuckDB's error arrives through the Arrow reader as pyarrow's OSError)
    with pytest.raises((duckdb.InvalidInputException, OSError), match="injected"):
        for batch in mappers.iter_mapped_batches("greenhouse", raw, batch_rows=1_000):
            handed_out += batch.height
    assert 0 < handed_out < 60_000

    # with the retry, every row comes out once, in file order, as the whole mapping has them
    monkeypatch.setattr(mappers, "MAX_OBJECT_BYTES_RETRY", retry_limit)
    batches = list(mappers.iter_mapped_batches("greenhouse", raw, batch_rows=1_000))
    streamed = pl.concat(batches)
    assert max(b.height for b in batches) <= 1_000
    assert streamed.height == 60_000
    keys = streamed.select("raw_line", "raw_index")
    assert keys.is_unique().all()
    assert keys.equals(keys.sort("raw_line", "raw_index"))
    monkeypatch.setattr(mappers, "mapping_sql", real_sql)
    assert streamed.equals(map_raw_file("greenhouse", raw))


# --- the fast (typed) form and the lenient form -------------------------------------------------


def _map(source: str, raw: Path, typed: bool) -> pl.DataFrame:
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    sql = mappers.mapping_sql(source, typed=typed)
    return pl.from_arrow(con.sql(sql, params={"raw_file": str(raw)}).arrow())


def _fixture_envelopes(source: str) -> list[dict]:
    board = {"jsearch": None, "greenhouse": "cloudflare", "lever": "palantir", "ashby": "ramp"}
    envelopes = []
    for path in sorted((FIXTURES / "real").glob(f"{source}_*.json")):
        envelopes.append(
            RawResponse(
                source=source,
                endpoint="/x",
                request_params={},
                board=board[source],
                company_name=board[source] and board[source].title(),
                payload=json.loads(path.read_text()),
            ).to_envelope()
        )
    stats = FetchStats()
    for record in demo_records(source, dt.date(2026, 3, 2), 400, stats):
        envelopes.append(record.to_envelope())
    return envelopes


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_the_fast_form_maps_real_and_demo_bodies_as_the_lenient_form_does(
    tmp_path: Path, source: str
) -> None:
    raw = tmp_path / f"{source}.jsonl.gz"
    write_jsonl_gz(raw, _fixture_envelopes(source))
    lenient = _map(source, raw, typed=False).sort("raw_line", "raw_index")
    fast = _map(source, raw, typed=True).sort("raw_line", "raw_index")
    drift: list[str] = []
    assert pl.concat(mappers.iter_mapped_batches(source, raw, type_drift=drift)).height > 400
    assert drift == []  # read in the fast form
    assert lenient.height > 400  # the real bodies and the demo day
    assert lenient["title"].null_count() == 0
    assert fast.equals(lenient)


def test_pay_transparency_details_give_greenhouse_jobs_their_salary(tmp_path: Path) -> None:
    board = _greenhouse_board(jobs=3, content_bytes=10)  # ids 1000, 1001, 1002
    detail = {
        **board,
        "endpoint": "/v1/boards/huge/jobs/1000",
        "payload": {
            "id": 1000,
            "title": "Engineer 0",
            "pay_input_ranges": [
                {"min_cents": 15000000, "max_cents": 20000000, "currency_type": "USD"}
            ],
        },
    }
    no_pay = {**detail, "payload": {"id": 1002, "pay_input_ranges": []}}
    raw = _write(tmp_path / "greenhouse.jsonl.gz", [board, detail, no_pay])
    for typed in (True, False):
        mapped = _map("greenhouse", raw, typed).sort("source_job_id")
        assert mapped["source_job_id"].to_list() == ["1000", "1001", "1002"]  # details: no rows
        assert mapped.select(
            "salary_min", "salary_max", "salary_currency", "salary_period"
        ).rows() == [
            (150000.0, 200000.0, "USD", "year"),
            (None, None, None, None),
            (None, None, None, None),
        ]


def test_pay_ranges_read_ahead_map_greenhouse_as_reading_them_in_the_mapping(
    tmp_path: Path,
) -> None:
    board = _greenhouse_board(jobs=3, content_bytes=10)  # ids 1000, 1001, 1002
    detail = {
        **board,
        "endpoint": "/v1/boards/huge/jobs/1001",
        "payload": {
            "id": 1001,
            "pay_input_ranges": [
                {"min_cents": 9000000, "max_cents": 9900000, "currency_type": "CAD"}
            ],
        },
    }
    raw = _write(tmp_path / "greenhouse.jsonl.gz", [board, detail])
    ahead = mappers.greenhouse_pay_ranges(raw)
    assert ahead is not None and ahead.to_pylist() == [
        {
            "board": board["board"],
            "id": "1001",
            "ranges": [{"min_cents": 9000000.0, "max_cents": 9900000.0, "currency_type": "CAD"}],
        }
    ]
    with_ahead = pl.concat(mappers.iter_mapped_batches("greenhouse", raw, pay_ranges=ahead))
    assert with_ahead.equals(pl.concat(mappers.iter_mapped_batches("greenhouse", raw)))
    assert with_ahead["salary_min"].to_list() == [None, 90000.0, None]
    # the mapping takes the ranges from the table it is given, not from a read of its own
    elsewhere = ahead.set_column(1, "id", pa.array(["1002"]))
    moved = pl.concat(mappers.iter_mapped_batches("greenhouse", raw, pay_ranges=elsewhere))
    assert moved["salary_min"].to_list() == [None, None, 90000.0]
    # a file the fast form cannot read, or none at all: nothing read ahead
    odd = json.loads(json.dumps(board))
    odd["payload"]["jobs"][0]["location"] = "Toronto"
    assert mappers.greenhouse_pay_ranges(_write(tmp_path / "odd.jsonl.gz", [odd, detail])) is None
    assert mappers.greenhouse_pay_ranges(tmp_path / "missing.jsonl.gz") is None


ODD_POSTINGS = {  # one field of another type than the API documents
    "jsearch": ("data", "job_employment_types", "FULLTIME"),
    "greenhouse": ("jobs", "location", "Toronto"),
    "lever": (None, "categories", "Engineering"),
    "ashby": ("jobs", "address", "Toronto"),
}


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_a_posting_the_fast_form_cannot_read_maps_through_the_lenient_form(
    tmp_path: Path, source: str
) -> None:
    envelopes = _fixture_envelopes(source)
    key, field, value = ODD_POSTINGS[source]
    odd = envelopes[0]["payload"] if key is None else envelopes[0]["payload"][key]
    odd[0][field] = value
    raw = tmp_path / f"{source}.jsonl.gz"
    write_jsonl_gz(raw, envelopes)
    with pytest.raises(duckdb.InvalidInputException, match="JSON transform error"):
        _map(source, raw, typed=True)

    drift: list[str] = []
    mapped = pl.concat(mappers.iter_mapped_batches(source, raw, type_drift=drift))
    [message] = drift
    assert f'but got VARCHAR: "{value}"' in message and "in line" not in message
    lenient = _map(source, raw, typed=False)
    assert mapped.equals(lenient.select(pl.col(c).cast(t) for c, t in MAPPED_SCHEMA.items()))
    first = mapped.filter((pl.col("raw_line") == 1) & (pl.col("raw_index") == 1))
    assert first["title"].item()  # the odd posting is there, its odd field left empty


def _lever_page(n: int) -> dict:
    return {
        "kind": "response",
        "source": "lever",
        "board": "acme",
        "company_name": "Acme",
        "fetched_at": "2026-03-02T11:00:00+00:00",
        "payload": [
            {
                "id": f"{n}-{i}",
                "text": f"Engineer {i}",
                "categories": {"location": "Toronto", "commitment": "Full-time"},
                "descriptionPlain": "Build things.",
                "createdAt": 1772400000000,
            }
            for i in range(3)
        ],
    }


def test_a_fallback_after_streamed_batches_hands_out_every_row_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measured: the typed reader runs far ahead of the rows it hands out (an odd posting at
    # line 15,000 of 20,000 fails the query before its first row), so the odd one is late here.
    # (Greenhouse without its pay ranges read ahead never fails mid-stream: its pay join reads
    # the whole file before any row.)
    pages = [_lever_page(n) for n in range(60_000)]
    pages[55_000]["payload"][1]["categories"] = "Engineering"
    raw = _write(tmp_path / "lever.jsonl.gz", pages)
    real_sql = mappers.mapping_sql
    handed_out = 0
    forms: list[tuple[bool, int]] = []  # (typed, rows handed out before the query was made)

    def recording(
        source: str,
        max_object_bytes: int = MAX_OBJECT_BYTES,
        typed: bool = True,
        pay_ahead: bool = False,
    ):
        forms.append((typed, handed_out))
        return real_sql(source, max_object_bytes, typed, pay_ahead)

    monkeypatch.setattr(mappers, "mapping_sql", recording)
    batches = []
    for batch in mappers.iter_mapped_batches("lever", raw, batch_rows=1_000):
        batches.append(batch)
        handed_out += batch.height
    # the fast form handed out rows before it met the odd posting, then the lenient form read on
    assert [typed for typed, _ in forms] == [True, False]
    assert forms[1][1] > 0
    streamed = pl.concat(batches)
    assert streamed.height == 180_000
    keys = streamed.select("raw_line", "raw_index")
    assert keys.is_unique().all()
    assert keys.equals(keys.sort("raw_line", "raw_index"))
    odd = streamed.filter(pl.col("source_job_id") == "55000-1")
    assert odd["location_raw"].to_list() == [None]
    assert odd["title"].to_list() == ["Engineer 1"]
