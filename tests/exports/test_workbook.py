"""The packaged Tableau workbook: rendered from the template against a real .hyper, schema-valid."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from tableauhyperapi import Connection, CreateMode, HyperProcess, Telemetry

from job_assets.exports import twb_validation, workbook
from job_assets.exports.twb_validation import validate_twb
from job_assets.exports.workbook import (
    HYPER_ARCNAME,
    TEMPLATE_COLUMNS,
    TWB_ARCNAME,
    WorkbookInfo,
    build_twbx,
    column_meta,
    hyper_table_columns,
    referenced_columns_from_twb,
)

# The lead's Hyper export layout (schema "Extract"), as documented in the brief.
TABLES: dict[str, list[tuple[str, str]]] = {
    "ranked_jobs": [
        ("campaign_id", "TEXT"),
        ("score", "DOUBLE PRECISION"),
        ("rank", "INT"),
        ("job_sk", "BIGINT"),
        ("skill_match_sk", "BIGINT"),
        ("top_reasons", "TEXT"),
        ("is_new", "BOOL"),
    ],
    "fact_jobs": [
        ("job_sk", "BIGINT"),
        ("job_id", "TEXT"),
        ("company_key", "TEXT"),
        ("title", "TEXT"),
        ("company_name", "TEXT"),
        ("city", "TEXT"),
        ("region", "TEXT"),
        ("country", "TEXT"),
        ("location", "TEXT"),
        ("remote_type", "TEXT"),
        ("salary_min_norm", "BIGINT"),
        ("salary_max_norm", "BIGINT"),
        ("reporting_currency", "TEXT"),
        ("apply_url", "TEXT"),
        ("posted_at", "TIMESTAMP"),
        ("application_status", "TEXT"),
    ],
    "dim_campaigns": [
        ("campaign_id", "TEXT"),
        ("campaign_name", "TEXT"),
        ("ranking_date", "DATE"),
        ("ruleset_version", "TEXT"),
    ],
    "dim_companies": [
        ("company_key", "TEXT"),
        ("company_name", "TEXT"),
        ("rating", "DOUBLE PRECISION"),
    ],
    "dim_skill_matches": [
        ("skill_match_sk", "BIGINT"),
        ("matched_skills", "TEXT"),
        ("missing_skills", "TEXT"),
        ("matched_count", "BIGINT"),
        ("missing_count", "BIGINT"),
    ],
    "job_skills": [("job_sk", "BIGINT"), ("skill", "TEXT")],
    "dim_skills": [("skill", "TEXT"), ("category", "TEXT")],
    "skill_demand": [
        ("posting_date", "DATE"),
        ("skill", "TEXT"),
        ("country", "TEXT"),
        ("title_family", "TEXT"),
        ("seniority", "TEXT"),
        ("postings", "BIGINT"),
    ],
    "salary_benchmarks": [
        ("title_family", "TEXT"),
        ("country", "TEXT"),
        ("seniority", "TEXT"),
        ("p25", "DOUBLE PRECISION"),
        ("p50", "DOUBLE PRECISION"),
        ("p75", "DOUBLE PRECISION"),
        ("sample_size", "BIGINT"),
    ],
    "run_stats": [("run_id", "TEXT"), ("rows_written", "BIGINT")],
}

ROWS: dict[str, list[str]] = {
    "ranked_jobs": [
        "('c1',0.91,1,11,101,'skills: python, sql',true)",
        "('c1',0.55,2,12,102,'recency',false)",
    ],
    "dim_skill_matches": ["(101,'python, sql','',2,0)", "(102,'sql','python',1,1)"],
    "dim_campaigns": ["('c1','Data roles',DATE '2025-01-03','2024.1')"],
    "fact_jobs": [
        "(11,'j1','co1','Data Engineer','Acme','Toronto','ON','CA','Toronto, ON','hybrid',"
        "90000,120000,'CAD','https://jobs.example/1',TIMESTAMP '2025-01-02 10:00:00','new')",
        "(12,'j2','co2','Analyst','Beta','Austin','TX','US','Austin, TX','remote',NULL,NULL,"
        "'USD','https://jobs.example/2',TIMESTAMP '2025-01-03 09:00:00','applied')",
    ],
    "dim_companies": ["('co1','Acme',4.1)"],
    "job_skills": ["(11,'python')", "(11,'sql')"],
    "dim_skills": ["('python','language')", "('sql','language')"],
    "skill_demand": [
        "(DATE '2025-01-01','python','CA','data engineer','senior',12)",
        "(DATE '2025-01-08','sql','US','analyst','mid',7)",
    ],
    "salary_benchmarks": [
        "('data engineer','CA','senior',100000,120000,140000,30)",
        "('analyst','US','mid',60000,70000,85000,12)",
    ],
    "run_stats": ["('r1',42)"],
}


def make_hyper(
    path: Path,
    drop: dict[str, str] | None = None,
    retype: dict[tuple[str, str], str] | None = None,
) -> Path:
    """Write a small real .hyper; ``drop`` removes a column, ``retype`` changes a column type."""
    drop = drop or {}
    retype = retype or {}
    with HyperProcess(
        Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_config": ""}
    ) as hyper:
        with Connection(hyper.endpoint, path, CreateMode.CREATE_AND_REPLACE) as conn:
            conn.catalog.create_schema("Extract")
            for table, cols in TABLES.items():
                defs = ", ".join(
                    f'"{name}" {retype.get((table, name), sql_type)}' for name, sql_type in cols
                )
                conn.execute_command(f'CREATE TABLE "Extract"."{table}" ({defs})')
                conn.execute_command(
                    f'INSERT INTO "Extract"."{table}" VALUES {", ".join(ROWS[table])}'
                )
                if table in drop:
                    conn.execute_command(f'ALTER TABLE "Extract"."{table}" DROP "{drop[table]}"')
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkbookInfo, Path, Path]:
    root = tmp_path_factory.mktemp("twbx")
    hyper = make_hyper(root / "job_lakehouse.hyper")
    info = build_twbx(hyper, root / "out" / "job_lakehouse.twbx")
    return info, hyper, root


@pytest.fixture(scope="module")
def twb(built: tuple[WorkbookInfo, Path, Path]) -> bytes:
    with zipfile.ZipFile(built[0].path) as zf:
        return zf.read(TWB_ARCNAME)


def test_twbx_layout_and_atomic_write(built: tuple[WorkbookInfo, Path, Path]) -> None:
    info, hyper, _ = built
    assert info.path.is_file()
    assert not info.path.with_name(info.path.name + ".tmp").exists()
    with zipfile.ZipFile(info.path) as zf:
        assert sorted(zf.namelist()) == sorted([TWB_ARCNAME, HYPER_ARCNAME])
        assert zf.read(HYPER_ARCNAME) == hyper.read_bytes()


def test_packaged_twb_is_schema_valid(twb: bytes) -> None:
    assert validate_twb(twb) == []


def test_worksheets_dashboard_and_url_action(
    built: tuple[WorkbookInfo, Path, Path], twb: bytes
) -> None:
    info = built[0]
    expected = ["Ranked jobs", "Skill demand", "Salary benchmarks"]
    assert info.worksheets == expected
    root = etree.fromstring(twb)
    assert [w.get("name") for w in root.iterfind("worksheets/worksheet")] == expected
    for sheet in root.iterfind("worksheets/worksheet"):
        assert sheet.find("simple-id") is not None
    (action,) = root.iterfind("actions/action")
    assert action.get("caption") == "Open apply link"
    assert action.find("source").get("worksheet") == "Ranked jobs"
    assert action.find("link").get("expression") == "<apply_url>"
    # The URL field must be in the sheet's level of detail for the action to resolve it.
    lods = [e.get("column") for e in root.iterfind(".//worksheet[@name='Ranked jobs']//lod")]
    assert "[federated.ranked_jobs].[none:apply_url:nk]" in lods
    zones = {z.get("name") for z in root.iterfind("dashboards/dashboard//zone") if z.get("name")}
    assert set(expected) <= zones


def test_ranked_jobs_sheet_rows_and_filters(twb: bytes) -> None:
    root = etree.fromstring(twb)
    sheet = root.find("worksheets/worksheet[@name='Ranked jobs']")
    rows = sheet.findtext("table/rows")
    fields = re.findall(r"\[none:([^:\]]+):nk\]", rows)
    assert fields == [
        "campaign_name",
        "title",
        "company_name",
        "location",
        "remote_type",
        "Calculation_salary_range",
    ]
    filters = {f.get("column"): f for f in sheet.iterfind("table/view/filter")}
    ds = "[federated.ranked_jobs]"
    for col in ("campaign_name", "country", "location", "remote_type"):
        assert filters[f"{ds}.[none:{col}:nk]"].get("class") == "categorical"
    salary = filters[f"{ds}.[none:salary_min_norm:qk]"]
    assert salary.get("class") == "quantitative"
    # The range filter spans the real data (90000 is the only non-null salary_min_norm).
    assert (salary.findtext("min"), salary.findtext("max")) == ("90000", "90000")
    text = sheet.find(".//encodings/text").get("column")
    assert text == f"{ds}.[sum:score:qk]"


def test_skill_demand_has_top_n_and_salary_sheet_uses_p50(twb: bytes) -> None:
    root = etree.fromstring(twb)
    skill = root.find("worksheets/worksheet[@name='Skill demand']")
    top = skill.find("table/view/filter/groupfilter[@function='end']")
    assert top is not None and top.get("end") == "top" and int(top.get("count")) > 0
    assert "posting_date" in skill.findtext("table/cols")
    assert "postings" in skill.findtext("table/rows")
    salary = root.find("worksheets/worksheet[@name='Salary benchmarks']")
    assert salary.findtext("table/cols") == "[federated.salary_benchmarks].[avg:p50:qk]"
    assert "title_family" in salary.findtext("table/rows")
    assert "country" in salary.findtext("table/rows")


def test_every_referenced_column_exists_in_packaged_hyper(
    built: tuple[WorkbookInfo, Path, Path], twb: bytes
) -> None:
    info, _, root = built
    extracted = root / "extracted.hyper"
    with zipfile.ZipFile(info.path) as zf:
        extracted.write_bytes(zf.read(HYPER_ARCNAME))
    packaged = hyper_table_columns(extracted)
    referenced = referenced_columns_from_twb(twb)
    assert referenced == info.referenced_columns
    assert set(referenced) == set(TEMPLATE_COLUMNS)
    for table, cols in referenced.items():
        assert cols <= {name for name, _ in packaged[table]}, table
        # The datasources also list every real column of their table.
        assert cols == {name for name, _ in packaged[table]}, table
    # The template's declared column list (checked before rendering, for a clear error) is
    # exactly what the sheets and the URL action use: no sheet field escapes the pre-check.
    used = referenced_columns_from_twb(twb, sheets_only=True)
    assert used == {table: set(cols) for table, cols in TEMPLATE_COLUMNS.items()}
    # Every datasource points at the packaged file.
    conns = etree.fromstring(twb).iterfind(".//connection[@class='hyper']")
    assert {(c.get("dbname"), c.get("schema")) for c in conns} == {(HYPER_ARCNAME, "Extract")}


def test_column_metadata_comes_from_the_hyper(twb: bytes) -> None:
    root = etree.fromstring(twb)
    ds = root.find("datasources/datasource[@name='federated.ranked_jobs']")
    types = {c.get("name"): (c.get("datatype"), c.get("role")) for c in ds.iterfind("column")}
    assert types["[score]"] == ("real", "measure")
    assert types["[salary_min_norm]"] == ("integer", "measure")
    assert types["[posted_at]"] == ("datetime", "dimension")
    assert types["[is_new]"] == ("boolean", "dimension")
    assert types["[title]"] == ("string", "dimension")
    joined = ("ranked_jobs", "dim_campaigns", "fact_jobs", "dim_companies", "dim_skill_matches")
    records = ds.findall(".//metadata-record")
    assert len(records) == sum(len(TABLES[t]) for t in joined)
    # A column name already taken by an earlier table is qualified, as Tableau names it.
    parents = {r.findtext("local-name"): r.findtext("parent-name") for r in records}
    assert parents["[job_sk]"] == "[ranked_jobs]"
    assert parents["[job_sk (fact_jobs)]"] == "[fact_jobs]"
    assert parents["[company_name]"] == "[fact_jobs]"
    assert parents["[company_name (dim_companies)]"] == "[dim_companies]"
    assert parents["[campaign_name]"] == "[dim_campaigns]"
    assert parents["[campaign_id (dim_campaigns)]"] == "[dim_campaigns]"
    assert parents["[matched_skills]"] == "[dim_skill_matches]"
    assert parents["[skill_match_sk (dim_skill_matches)]"] == "[dim_skill_matches]"
    assert types["[rating]"] == ("real", "measure")
    assert types["[ranking_date]"] == ("date", "dimension")


def test_ranked_jobs_datasource_joins_campaign_job_company_and_skills(twb: bytes) -> None:
    ds = etree.fromstring(twb).find("datasources/datasource[@name='federated.ranked_jobs']")
    skills = ds.find("connection/relation")
    assert (skills.get("type"), skills.get("join")) == ("join", "left")
    outer = skills.find("relation[@type='join']")
    assert outer.get("join") == "left"
    middle = outer.find("relation[@type='join']")
    assert middle.get("join") == "inner"
    inner = middle.find("relation[@type='join']")
    assert inner.get("join") == "inner"

    def clause(rel: etree._Element) -> list[str]:
        return [e.get("op") for e in rel.find("clause/expression").iterfind("expression")]

    assert clause(inner) == ["[ranked_jobs].[campaign_id]", "[dim_campaigns].[campaign_id]"]
    assert clause(middle) == ["[ranked_jobs].[job_sk]", "[fact_jobs].[job_sk]"]
    assert clause(outer) == ["[fact_jobs].[company_key]", "[dim_companies].[company_key]"]
    assert clause(skills) == [
        "[ranked_jobs].[skill_match_sk]",
        "[dim_skill_matches].[skill_match_sk]",
    ]
    tables = [r.get("table") for r in ds.iterfind(".//relation[@type='table']")]
    assert tables == [
        "[Extract].[ranked_jobs]",
        "[Extract].[dim_campaigns]",
        "[Extract].[fact_jobs]",
        "[Extract].[dim_companies]",
        "[Extract].[dim_skill_matches]",
    ]
    # the single-table datasources stay plain tables
    sd = etree.fromstring(twb).find("datasources/datasource[@name='federated.skill_demand']")
    assert sd.find("connection/relation").get("type") == "table"


@pytest.mark.parametrize(
    ("hyper_type", "datatype"),
    [
        ("BIG_INT", "integer"),
        ("INT", "integer"),
        ("DOUBLE", "real"),
        ("NUMERIC", "real"),
        ("TEXT", "string"),
        ("DATE", "date"),
        ("TIMESTAMP", "datetime"),
        ("TIMESTAMP_TZ", "datetime"),
        ("BOOL", "boolean"),
        ("BYTES", None),
    ],
)
def test_hyper_type_mapping(hyper_type: str, datatype: str | None) -> None:
    meta = column_meta("x", hyper_type, 0)
    assert meta.datatype == datatype
    expected_role = "measure" if datatype in {"integer", "real"} else "dimension"
    assert meta.role == expected_role


def test_hyper_table_columns_reads_types(built: tuple[WorkbookInfo, Path, Path]) -> None:
    cols = hyper_table_columns(built[1])
    assert set(cols) == set(TABLES)
    assert dict(cols["fact_jobs"])["salary_min_norm"] == "BIG_INT"
    assert dict(cols["skill_demand"])["posting_date"] == "DATE"
    assert [n for n, _ in cols["salary_benchmarks"]] == [n for n, _ in TABLES["salary_benchmarks"]]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("fact_jobs", "apply_url"),
        ("ranked_jobs", "job_sk"),
        ("dim_companies", "company_key"),
        ("skill_demand", "postings"),
        ("salary_benchmarks", "p50"),
    ],
)
def test_missing_column_raises_naming_it(tmp_path: Path, table: str, column: str) -> None:
    hyper = make_hyper(tmp_path / "bad.hyper", drop={table: column})
    out = tmp_path / "bad.twbx"
    with pytest.raises(ValueError, match=rf"{table}\.{column} is missing"):
        build_twbx(hyper, out)
    assert not out.exists()
    assert not out.with_name(out.name + ".tmp").exists()


def test_undeclared_template_column_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # If the template uses a column its declared list forgot, rendering (or the post-render
    # reference check) still refuses a hyper without that column.
    declared = {t: dict(cols) for t, cols in TEMPLATE_COLUMNS.items()}
    del declared["ranked_jobs"]["top_reasons"]
    monkeypatch.setattr(workbook, "TEMPLATE_COLUMNS", declared)
    hyper = make_hyper(tmp_path / "bad.hyper", drop={"ranked_jobs": "top_reasons"})
    with pytest.raises(ValueError, match=r"references columns missing .*ranked_jobs\.top_reasons"):
        build_twbx(hyper, tmp_path / "bad.twbx")
    assert not (tmp_path / "bad.twbx").exists()


def test_wrong_column_type_raises(tmp_path: Path) -> None:
    hyper = make_hyper(tmp_path / "bad.hyper", retype={("ranked_jobs", "score"): "TEXT"})
    with pytest.raises(ValueError, match=r"ranked_jobs\.score has Hyper type TEXT"):
        build_twbx(hyper, tmp_path / "bad.twbx")


def test_missing_hyper_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_twbx(tmp_path / "nope.hyper", tmp_path / "x.twbx")


def _mutate(twb: bytes, xpath: str, action: str) -> bytes:
    root = etree.fromstring(twb)
    (el,) = root.xpath(xpath)
    if action == "drop":
        el.getparent().remove(el)
    elif action == "drop-source-build":
        del el.attrib["source-build"]
    elif action == "bad-filter-class":
        el.set("class", "fuzzy")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


@pytest.mark.parametrize(
    ("xpath", "action", "needle"),
    [
        ("/workbook/worksheets/worksheet[1]/simple-id", "drop", "simple-id"),
        ("/workbook/dashboards/dashboard/simple-id", "drop", "simple-id"),
        ("/workbook", "drop-source-build", "source-build"),
        ("/workbook/explain-data", "drop", "explain-data"),
        ("(//worksheet//filter)[1]", "bad-filter-class", "fuzzy"),
    ],
)
def test_validate_twb_reports_broken_workbooks(
    twb: bytes, xpath: str, action: str, needle: str
) -> None:
    errors = validate_twb(_mutate(twb, xpath, action))
    assert errors, "a broken workbook must not validate"
    assert any(needle in e for e in errors), errors


def test_validate_twb_malformed_xml() -> None:
    errors = validate_twb(b"<workbook><oops></workbook>")
    assert len(errors) == 1 and errors[0].startswith("parse error")


def test_xsd_lookup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    found = twb_validation.default_xsd_path()
    assert found.name == "twb_2025.3.0.xsd"
    monkeypatch.setenv(twb_validation.XSD_ENV, str(found))
    assert twb_validation.default_xsd_path() == found
    monkeypatch.setenv(twb_validation.XSD_ENV, str(tmp_path / "missing.xsd"))
    with pytest.raises(FileNotFoundError, match=twb_validation.XSD_ENV):
        twb_validation.default_xsd_path()
