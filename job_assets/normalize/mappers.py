"""One mapper per source: native payloads (raw JSON lines) -> the common "mapped" shape.

Pure module. Each mapper is one DuckDB query over the raw file: JSON is parsed in C++ with an
explicit per-source struct, so there is no Python loop over postings. The fast form reads each
line straight into that struct; the lenient form, used for a file the fast one cannot read, reads
the payload as JSON and converts each posting on its own (``from_json`` turns a field of an
unexpected type into NULL where the typed reader stops at it). The mapped shape carries the
fields as posted (HTML, salary strings, location text); ``enrich`` turns it into the canonical
schema. Every mapped row keeps a pointer to its raw record: file, line, index within the response.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

ENVELOPE_COLUMNS = (
    "{kind: 'VARCHAR', source: 'VARCHAR', endpoint: 'VARCHAR', board: 'VARCHAR', "
    "company_name: 'VARCHAR', fetched_at: 'VARCHAR', mode: 'VARCHAR', payload: 'JSON'}"
)

MAPPED_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String,
    "source_job_id": pl.String,
    "title": pl.String,
    "company_name": pl.String,
    "company_website": pl.String,
    "location_raw": pl.String,
    "city_hint": pl.String,
    "region_hint": pl.String,
    "country_hint": pl.String,
    "remote_hint": pl.String,
    "employment_type_raw": pl.String,
    "salary_min": pl.Float64,
    "salary_max": pl.Float64,
    "salary_currency": pl.String,
    "salary_period": pl.String,
    "salary_text": pl.String,
    "description_raw": pl.String,
    "description_format": pl.String,  # text | html | escaped_html
    "apply_url": pl.String,
    "posted_at_raw": pl.String,
    "posted_at": pl.Datetime("us", "UTC"),
    "is_direct": pl.Boolean,
    "is_listed": pl.Boolean,
    "fetched_at": pl.Datetime("us", "UTC"),
    "raw_line": pl.Int64,
    "raw_index": pl.Int64,
}

# The raw file's response lines, each with its postings as a list (``items``): parsed as JSON in
# the lenient form, typed in the fast one.
_RESPONSES = """
with env as not materialized (
    select row_number() over () as raw_line, *
    from read_json($raw_file, format = 'newline_delimited', columns = {envelope},
                   maximum_object_size = {max_object_bytes})
),
responses as (
    select raw_line, board, company_name as board_company, fetched_at, {items} as items
    from env
    where kind = 'response' and {response_filter}
),
"""
# Lenient: every posting is converted on its own (``from_json`` leaves a field of an unexpected
# type NULL).
_PARSED_LENIENT = """
items as (
    select raw_line, board, board_company, fetched_at,
           unnest(items) as item, generate_subscripts(items, 1) as raw_index
    from responses
),
parsed as (
    select raw_line, raw_index, board, board_company, fetched_at,
           from_json(item, '{struct}') as j
    from items
)
"""
# Fast: the whole envelope line is read into the source's struct in one parse (the lenient form
# parses every body three times: the line, the item list, each item). At 25k postings per
# source: 0.41-0.53 s against 0.95-1.16 s.
_PARSED_TYPED = """
parsed as (
    select raw_line, board, board_company, fetched_at,
           unnest(items) as j, generate_subscripts(items, 1) as raw_index
    from responses
)
"""

_JSEARCH_STRUCT = {
    "job_id": "VARCHAR",
    "job_title": "VARCHAR",
    "employer_name": "VARCHAR",
    "employer_website": "VARCHAR",
    "job_publisher": "VARCHAR",
    "job_employment_type": "VARCHAR",
    "job_employment_types": "VARCHAR[]",
    "job_apply_link": "VARCHAR",
    "job_apply_is_direct": "VARCHAR",
    "job_description": "VARCHAR",
    "job_is_remote": "VARCHAR",
    "job_posted_at_timestamp": "VARCHAR",
    "job_posted_at_datetime_utc": "VARCHAR",
    "job_city": "VARCHAR",
    "job_state": "VARCHAR",
    "job_country": "VARCHAR",
    "job_location": "VARCHAR",
    "job_min_salary": "VARCHAR",
    "job_max_salary": "VARCHAR",
    "job_salary_currency": "VARCHAR",
    "job_salary_period": "VARCHAR",
    "job_salary": "VARCHAR",
}
_JSEARCH_SELECT = """
select
    'jsearch' as source,
    j.job_id as source_job_id,
    j.job_title as title,
    j.employer_name as company_name,
    j.employer_website as company_website,
    coalesce(j.job_location, concat_ws(', ', j.job_city, j.job_state, j.job_country))
        as location_raw,
    j.job_city as city_hint, j.job_state as region_hint, j.job_country as country_hint,
    case when lower(j.job_is_remote) = 'true' then 'remote' end as remote_hint,
    coalesce(j.job_employment_types[1], j.job_employment_type) as employment_type_raw,
    try_cast(j.job_min_salary as double) as salary_min,
    try_cast(j.job_max_salary as double) as salary_max,
    j.job_salary_currency as salary_currency,
    j.job_salary_period as salary_period,
    j.job_salary as salary_text,
    j.job_description as description_raw,
    'text' as description_format,
    j.job_apply_link as apply_url,
    coalesce(j.job_posted_at_datetime_utc, j.job_posted_at_timestamp) as posted_at_raw,
    coalesce(
        try_cast(j.job_posted_at_datetime_utc as timestamptz),
        to_timestamp(try_cast(j.job_posted_at_timestamp as double))
    ) as posted_at,
    coalesce(lower(j.job_apply_is_direct) = 'true', false) as is_direct,
    true as is_listed,
    try_cast(fetched_at as timestamptz) as fetched_at,
    raw_line, raw_index
from parsed
"""

_GREENHOUSE_PAY_RANGES = "STRUCT(min_cents DOUBLE, max_cents DOUBLE, currency_type VARCHAR)[]"
_GREENHOUSE_STRUCT = {
    "id": "VARCHAR",
    "title": "VARCHAR",
    "company_name": "VARCHAR",
    "absolute_url": "VARCHAR",
    "location": "STRUCT(name VARCHAR)",
    "first_published": "VARCHAR",
    "updated_at": "VARCHAR",
    "content": "VARCHAR",
    "pay_input_ranges": _GREENHOUSE_PAY_RANGES,
}
# per-job pay_transparency responses, when fetched, carry the salary ranges
_GREENHOUSE_PAY = """
, pay as (
    select board, json_extract_string(payload, '$.id') as id,
           from_json(json_extract(payload, '$.pay_input_ranges'),
                     '[{"min_cents": "DOUBLE", "max_cents": "DOUBLE", "currency_type": "VARCHAR"}]')
               as ranges
    from env
    where kind = 'response' and json_type(payload, '$.jobs') is null
)
"""
_GREENHOUSE_PAY_TYPED = """
, pay as (
    select board, payload.id as id, payload.pay_input_ranges as ranges
    from env
    where kind = 'response' and payload.jobs is null
)
"""
# the pay ranges read ahead of the mapping (``greenhouse_pay_ranges``), registered as a table
_GREENHOUSE_PAY_AHEAD = """
, pay as (select board, id, ranges from pay_ranges)
"""
_GREENHOUSE_SELECT = """
select
    'greenhouse' as source,
    j.id as source_job_id,
    j.title as title,
    coalesce(j.company_name, board_company, parsed.board) as company_name,
    null::varchar as company_website,
    j.location.name as location_raw,
    null::varchar as city_hint, null::varchar as region_hint, null::varchar as country_hint,
    null::varchar as remote_hint,
    null::varchar as employment_type_raw,
    coalesce(j.pay_input_ranges, pay.ranges)[1].min_cents / 100.0 as salary_min,
    coalesce(j.pay_input_ranges, pay.ranges)[1].max_cents / 100.0 as salary_max,
    coalesce(j.pay_input_ranges, pay.ranges)[1].currency_type as salary_currency,
    case when coalesce(j.pay_input_ranges, pay.ranges)[1] is not null then 'year' end
        as salary_period,
    null::varchar as salary_text,
    j.content as description_raw,
    'escaped_html' as description_format,
    j.absolute_url as apply_url,
    coalesce(j.first_published, j.updated_at) as posted_at_raw,
    try_cast(coalesce(j.first_published, j.updated_at) as timestamptz) as posted_at,
    true as is_direct,
    true as is_listed,
    try_cast(fetched_at as timestamptz) as fetched_at,
    raw_line, raw_index
from parsed
left join pay on pay.board is not distinct from parsed.board and pay.id = j.id
"""

_LEVER_STRUCT = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "hostedUrl": "VARCHAR",
    "applyUrl": "VARCHAR",
    "createdAt": "VARCHAR",
    "country": "VARCHAR",
    "workplaceType": "VARCHAR",
    "categories": "STRUCT(commitment VARCHAR, location VARCHAR, team VARCHAR)",
    "descriptionPlain": "VARCHAR",
    "description": "VARCHAR",
    "additionalPlain": "VARCHAR",
    "salaryRange": "STRUCT(min DOUBLE, max DOUBLE, currency VARCHAR, interval VARCHAR)",
}
_LEVER_SELECT = """
select
    'lever' as source,
    j.id as source_job_id,
    j.text as title,
    coalesce(board_company, board) as company_name,
    null::varchar as company_website,
    j.categories.location as location_raw,
    null::varchar as city_hint, null::varchar as region_hint, j.country as country_hint,
    case lower(j.workplaceType) when 'remote' then 'remote' when 'hybrid' then 'hybrid'
        when 'onsite' then 'onsite' end as remote_hint,
    j.categories.commitment as employment_type_raw,
    j.salaryRange.min as salary_min,
    j.salaryRange.max as salary_max,
    j.salaryRange.currency as salary_currency,
    j.salaryRange.interval as salary_period,
    j.additionalPlain as salary_text,
    concat_ws(chr(10) || chr(10), coalesce(j.descriptionPlain, j.description), j.additionalPlain)
        as description_raw,
    case when j.descriptionPlain is null then 'html' else 'text' end as description_format,
    coalesce(j.applyUrl, j.hostedUrl) as apply_url,
    j.createdAt as posted_at_raw,
    to_timestamp(try_cast(j.createdAt as double) / 1000.0) as posted_at,
    true as is_direct,
    true as is_listed,
    try_cast(fetched_at as timestamptz) as fetched_at,
    raw_line, raw_index
from parsed
"""

_ASHBY_STRUCT = {
    "id": "VARCHAR",
    "title": "VARCHAR",
    "employmentType": "VARCHAR",
    "location": "VARCHAR",
    "publishedAt": "VARCHAR",
    "isListed": "VARCHAR",
    "isRemote": "VARCHAR",
    "workplaceType": "VARCHAR",
    "jobUrl": "VARCHAR",
    "applyUrl": "VARCHAR",
    "descriptionPlain": "VARCHAR",
    "descriptionHtml": "VARCHAR",
    "address": "STRUCT(postalAddress STRUCT(addressLocality VARCHAR, addressRegion VARCHAR, "
    "addressCountry VARCHAR))",
    "compensation": "STRUCT(compensationTierSummary VARCHAR, compensationTiers STRUCT("
    'components STRUCT(compensationType VARCHAR, "interval" VARCHAR, currencyCode VARCHAR, '
    "minValue DOUBLE, maxValue DOUBLE)[])[])",
}
_ASHBY_SELECT = """
, with_salary as (  -- a projection, not a self-join: the rows stream instead of being held
    select *,
           list_filter(
               flatten(list_transform(j.compensation.compensationTiers, lambda t: t.components)),
               lambda c: c.compensationType = 'Salary'
           )[1] as c
    from parsed
)
select
    'ashby' as source,
    j.id as source_job_id,
    trim(j.title) as title,
    coalesce(board_company, board) as company_name,
    null::varchar as company_website,
    j.location as location_raw,
    j.address.postalAddress.addressLocality as city_hint,
    j.address.postalAddress.addressRegion as region_hint,
    j.address.postalAddress.addressCountry as country_hint,
    -- workplaceType is authoritative; isRemote is only a fallback (they can disagree)
    case lower(j.workplaceType) when 'remote' then 'remote' when 'hybrid' then 'hybrid'
        when 'onsite' then 'onsite'
        else case when lower(j.isRemote) = 'true' then 'remote' end end as remote_hint,
    j.employmentType as employment_type_raw,
    c.minValue as salary_min,
    c.maxValue as salary_max,
    c.currencyCode as salary_currency,
    c.interval as salary_period,
    j.compensation.compensationTierSummary as salary_text,
    coalesce(j.descriptionHtml, j.descriptionPlain) as description_raw,
    case when j.descriptionHtml is null then 'text' else 'html' end as description_format,
    coalesce(j.applyUrl, j.jobUrl) as apply_url,
    j.publishedAt as posted_at_raw,
    try_cast(j.publishedAt as timestamptz) as posted_at,
    true as is_direct,
    coalesce(lower(j.isListed) <> 'false', true) as is_listed,
    try_cast(fetched_at as timestamptz) as fetched_at,
    raw_line, raw_index
from with_salary
"""


@dataclass(frozen=True)
class _Mapper:
    items_path: str  # lenient form: the JSON path of the postings in a body
    response_filter: str  # lenient form: which response bodies hold postings
    struct: dict[str, str]  # one posting, in DuckDB type syntax
    select: str
    typed_payload: str  # fast form: the body's type, "{item}" standing for one posting
    typed_items: str  # fast form: the postings of a body
    typed_filter: str = "true"
    pay: tuple[str, str] = ("", "")  # greenhouse: the (lenient, fast) pay CTE


_SOURCES = {
    "jsearch": _Mapper(
        "$.data[*]",
        "true",
        _JSEARCH_STRUCT,
        _JSEARCH_SELECT,
        "STRUCT(data {item}[])",
        "payload.data",
    ),
    "greenhouse": _Mapper(
        "$.jobs[*]",
        "json_type(payload, '$.jobs') = 'ARRAY'",
        _GREENHOUSE_STRUCT,
        _GREENHOUSE_SELECT,
        f"STRUCT(jobs {{item}}[], id VARCHAR, pay_input_ranges {_GREENHOUSE_PAY_RANGES})",
        "payload.jobs",
        "payload.jobs is not null",
        (_GREENHOUSE_PAY, _GREENHOUSE_PAY_TYPED),
    ),
    "lever": _Mapper(
        "$[*]",
        "json_type(payload) = 'ARRAY'",
        _LEVER_STRUCT,
        _LEVER_SELECT,
        "{item}[]",
        "payload",
    ),
    "ashby": _Mapper(
        "$.jobs[*]", "true", _ASHBY_STRUCT, _ASHBY_SELECT, "STRUCT(jobs {item}[])", "payload.jobs"
    ),
}


def _struct_literal(spec: dict[str, str]) -> str:
    import json

    return json.dumps(spec).replace("'", "''")


# DuckDB's JSON reader sizes its buffers from maximum_object_size, and a 2,048-line chunk of
# whole-board responses is held at once: at 1M postings/day (250k per source) a 1 GiB limit
# peaked at 2.2-4.3 GB per source while mapping, 16 MiB (DuckDB's default) at 0.6-1.8 GB, and
# ran no slower. A response line the small limit cannot read (DuckDB takes up to about twice
# it: a huge ATS board in one body) makes the mapping retry at the large one.
MAX_OBJECT_BYTES = 16 << 20
MAX_OBJECT_BYTES_RETRY = 1 << 30


def mapping_sql(
    source: str,
    max_object_bytes: int = MAX_OBJECT_BYTES,
    typed: bool = True,
    pay_ahead: bool = False,
) -> str:
    """The full SQL for one source, in the fast (``typed``) or the lenient form (exposed for
    tests and for reading the mapping). ``pay_ahead`` (Greenhouse, fast form): the pay ranges
    come from a registered ``pay_ranges`` table (``greenhouse_pay_ranges``) instead of a first
    read of the file."""
    mapper = _SOURCES[source]
    if typed:
        pay = _GREENHOUSE_PAY_AHEAD if pay_ahead and mapper.pay[1] else mapper.pay[1]
        return _typed_head(mapper, max_object_bytes) + pay + mapper.select
    spec = {k: _duck_type_to_json_spec(v) for k, v in mapper.struct.items()}
    head = _RESPONSES.format(
        envelope=ENVELOPE_COLUMNS,
        max_object_bytes=int(max_object_bytes),
        items=f"cast(json_extract(payload, '{mapper.items_path}') as json[])",
        response_filter=mapper.response_filter,
    )
    return (
        head + _PARSED_LENIENT.format(struct=_struct_literal(spec)) + mapper.pay[0] + mapper.select
    )


def _typed_head(mapper: _Mapper, max_object_bytes: int) -> str:
    """The fast form's CTEs up to the parsed postings: each line read into the source's struct."""
    item = "STRUCT(" + ", ".join(f'"{k}" {v}' for k, v in mapper.struct.items()) + ")"
    payload = mapper.typed_payload.replace("{item}", item)
    head = _RESPONSES.format(
        envelope=ENVELOPE_COLUMNS.replace("'JSON'", "'" + payload.replace("'", "''") + "'"),
        max_object_bytes=int(max_object_bytes),
        items=mapper.typed_items,
        response_filter=mapper.typed_filter,
    )
    return head + _PARSED_TYPED


def _duck_type_to_json_spec(duck_type: str):
    """from_json wants a JSON structure description; nested DuckDB types are given as strings
    and converted here so each mapper can declare its struct in readable DuckDB type syntax."""
    return duck_type


def greenhouse_pay_ranges(raw_file: Path) -> pa.Table | None:
    """The per-job pay-transparency responses of a Greenhouse raw file (``board``, ``id``,
    ``ranges``: none when pay transparency is off), read in the fast form, or None when the file
    is missing or cannot be read that way (the mapping then reads them itself, in the form it
    needs). The mapping otherwise reads the whole file a first time for them before its first
    row, while the enrichment waits (250k postings: 2.0 CPU-s, 1.4 s); ``normalize_day`` reads
    them ahead, as the day starts."""
    if _holds_nothing(raw_file):
        return None
    sql = (
        _typed_head(_SOURCES["greenhouse"], MAX_OBJECT_BYTES)
        + _GREENHOUSE_PAY_TYPED
        + "select board, id, ranges from pay"
    )
    con = duckdb.connect()
    try:
        return con.sql(sql, params={"raw_file": str(raw_file)}).to_arrow_table()
    except (duckdb.Error, OSError):
        return None
    finally:
        con.close()


def iter_mapped_batches(
    source: str,
    raw_file: Path,
    batch_rows: int = 25_000,
    max_object_bytes: int = MAX_OBJECT_BYTES,
    type_drift: list[str] | None = None,
    pay_ranges: pa.Table | None = None,
) -> Iterator[pl.DataFrame]:
    """Map one raw file of one source as a stream of batches of at most ``batch_rows`` rows, in
    file order (``raw_line``, then ``raw_index``). Nothing for a missing or empty file. When the
    file has to be read in the lenient form, why (the typed reader's message: the expected type
    and the value found) is appended to ``type_drift``: an API whose fields changed type shows
    up there.

    DuckDB streams the query (its ``row_number() over ()`` is a streaming window), so the first
    batch comes after a fraction of a second (Greenhouse: after its pay join has read the file
    once, 2.7 s for 250k postings) and the caller can enrich it while the rest is parsed; the
    whole mapped file is never in memory at once. When a response line is beyond the
    object size limit, the query is run again at the large limit; when the fast form cannot
    read a posting, the file is read again in the lenient form. Either way the rows already
    handed out are skipped by their (raw_line, raw_index) key: every row comes out exactly once.
    ``pay_ranges`` (Greenhouse): what ``greenhouse_pay_ranges`` read from this file ahead.
    """
    if _holds_nothing(raw_file):
        return
    last: tuple[int, int] | None = None  # key of the last row handed out
    params = {"raw_file": str(raw_file)}
    typed = True
    while True:
        # rows up to this key were handed out by a failed attempt; the stream is in file order,
        # so once a row beyond it arrives, nothing more needs filtering
        skip_to = last
        # no memory_limit here: JSON parsing of a multi-MB response body cannot spill, and a cap
        # (tried: 3GB) fails 1M-posting days with an out-of-memory error
        con = duckdb.connect()
        try:
            con.execute("set timezone = 'UTC'")
            # read ahead in the fast form; a file read in the lenient form or at the large size
            # limit was not read ahead (the same read failed), so its pay ranges are read here
            pay_ahead = pay_ranges is not None and typed and max_object_bytes == MAX_OBJECT_BYTES
            if pay_ahead:
                con.register("pay_ranges", pay_ranges)
            sql = mapping_sql(source, max_object_bytes, typed, pay_ahead)
            query = con.sql(sql, params=params)
            # DuckDB hands out whatever it has parsed (often 2-4k rows); they are gathered to
            # batch_rows, since every enrichment batch has a fixed cost
            gathered: list[pl.DataFrame] = []
            gathered_rows = 0
            for record_batch in query.to_arrow_reader(batch_rows):
                frame = pl.from_arrow(record_batch)
                if skip_to is not None:
                    line, index = pl.col("raw_line"), pl.col("raw_index")
                    frame = frame.filter(
                        (line > skip_to[0]) | ((line == skip_to[0]) & (index > skip_to[1]))
                    )
                    if frame.height:
                        skip_to = None
                gathered.append(frame)
                gathered_rows += frame.height
                if gathered_rows >= batch_rows:
                    rows = pl.concat(gathered)
                    while rows.height >= batch_rows:
                        batch, rows = rows.head(batch_rows), rows.slice(batch_rows)
                        last = (batch["raw_line"][-1], batch["raw_index"][-1])
                        yield _typed(batch)
                    gathered, gathered_rows = [rows], rows.height
            rest = pl.concat(gathered) if gathered else None
            if rest is not None and rest.height:
                yield _typed(rest)
            return
        except (duckdb.Error, OSError) as exc:
            # an error DuckDB meets after the first batch reaches us through the Arrow stream,
            # as pyarrow's OSError carrying DuckDB's message
            if "maximum_object_size" in str(exc) and max_object_bytes < MAX_OBJECT_BYTES_RETRY:
                max_object_bytes = MAX_OBJECT_BYTES_RETRY
            elif typed:
                # a posting the typed reader cannot take (say a location given as text where an
                # object was expected): the lenient form reads the file, and defines the result
                typed = False
                if type_drift is not None:
                    # DuckDB's line number is not the file's for a compressed file (seen: 358
                    # for line 1), so it is left out rather than pointing at the wrong line
                    message = re.sub(r", in line \d+", "", _first_line(exc, 300))
                    type_drift.append(message)
            else:
                raise
        finally:
            con.close()


def map_raw_file(
    source: str, raw_file: Path, max_object_bytes: int = MAX_OBJECT_BYTES
) -> pl.DataFrame:
    """Map one raw file of one source to the mapped shape, whole (empty frame for an empty
    file). The pipeline streams it with ``iter_mapped_batches`` instead."""
    batches = list(iter_mapped_batches(source, raw_file, 1 << 20, max_object_bytes))
    if not batches:
        return pl.DataFrame(schema=MAPPED_SCHEMA)
    return pl.concat(batches, rechunk=False)


def _first_line(exc: BaseException, limit: int) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("posted_at").dt.convert_time_zone("UTC"),
        pl.col("fetched_at").dt.convert_time_zone("UTC"),
    ).select([pl.col(c).cast(t) for c, t in MAPPED_SCHEMA.items()])


def _holds_nothing(raw_file: Path) -> bool:
    """A raw file that is missing, empty, or an empty gzip stream: nothing to map."""
    import gzip

    if not raw_file.exists() or raw_file.stat().st_size == 0:
        return True
    with gzip.open(raw_file, "rb") as fh:
        return not fh.read(1)
