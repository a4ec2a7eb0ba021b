"""Build the packaged Tableau workbook (``.twbx``) from the repo template and a real ``.hyper``.

Tableau's Document API cannot create workbooks, so ``templates/job_lakehouse.twb`` (Jinja2) is
rendered with the column metadata of the actual Hyper file: Tableau datatypes and roles come from
the Hyper column types, never from a hard-coded list. A template/Hyper mismatch (a column the
template needs is missing or has an unusable type) raises ``ValueError`` naming the column, so a
broken workbook cannot ship silently. The ``.twbx`` is a zip of ``job_lakehouse.twb`` plus
``Data/Extracts/job_lakehouse.hyper``, written to ``<out>.tmp`` and renamed atomically.
"""

from __future__ import annotations

import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import jinja2
from lxml import etree
from tableauhyperapi import Connection, CreateMode, HyperProcess, Telemetry, TypeTag

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "job_lakehouse.twb"
TWB_ARCNAME = "job_lakehouse.twb"
HYPER_ARCNAME = "Data/Extracts/job_lakehouse.hyper"
HYPER_SCHEMA = "Extract"

STRING = frozenset({"string"})
NUMBER = frozenset({"integer", "real"})
TEMPORAL = frozenset({"date", "datetime"})
KEY = frozenset({"string", "integer"})

# Every column the template names (sheets, filters, the URL action and the joins), per Hyper
# table, with the Tableau datatypes it can work with.
TEMPLATE_COLUMNS: dict[str, dict[str, frozenset[str]]] = {
    "ranked_jobs": {
        "campaign_id": KEY,
        "job_sk": KEY,
        "score": NUMBER,
        "skill_match_sk": KEY,
        "top_reasons": STRING,
    },
    "fact_jobs": {
        "apply_url": STRING,
        "company_key": KEY,
        "company_name": STRING,
        "country": STRING,
        "job_id": KEY,
        "job_sk": KEY,
        "location": STRING,
        "remote_type": STRING,
        "reporting_currency": STRING,
        "salary_max_norm": NUMBER,
        "salary_min_norm": NUMBER,
        "title": STRING,
    },
    "dim_campaigns": {"campaign_id": KEY, "campaign_name": STRING},
    "dim_companies": {"company_key": KEY},
    "dim_skill_matches": {"skill_match_sk": KEY},
    "skill_demand": {
        "country": STRING,
        "posting_date": TEMPORAL,
        "postings": NUMBER,
        "skill": STRING,
    },
    "salary_benchmarks": {
        "country": STRING,
        "p50": NUMBER,
        "sample_size": NUMBER,
        "seniority": STRING,
        "title_family": STRING,
    },
}


class Join(NamedTuple):
    """``table`` joined into a datasource on ``[left_table].[left_column] = [table].[column]``."""

    how: str
    table: str
    column: str
    left_table: str
    left_column: str


# Datasource (named after its own table) -> caption and the tables joined into it. Rankings hold
# only keys and scores (publish.py's star layout); the "Ranked jobs" datasource joins each ranking
# to its campaign, its job, the job's company and its matched/missing skills, so sheets see one
# wide row per campaign and job.
DATASOURCES: dict[str, tuple[str, tuple[Join, ...]]] = {
    "ranked_jobs": (
        "Ranked jobs",
        (
            Join("inner", "dim_campaigns", "campaign_id", "ranked_jobs", "campaign_id"),
            Join("inner", "fact_jobs", "job_sk", "ranked_jobs", "job_sk"),
            Join("left", "dim_companies", "company_key", "fact_jobs", "company_key"),
            Join("left", "dim_skill_matches", "skill_match_sk", "ranked_jobs", "skill_match_sk"),
        ),
    ),
    "skill_demand": ("Skill demand", ()),
    "salary_benchmarks": ("Salary benchmarks", ()),
}

# Hyper type tag -> (Tableau datatype, OLE DB remote-type code, default aggregation).
_TYPE_MAP: dict[str, tuple[str, int, str]] = {
    TypeTag.BOOL.name: ("boolean", 11, "Count"),
    TypeTag.SMALL_INT.name: ("integer", 2, "Sum"),
    TypeTag.INT.name: ("integer", 3, "Sum"),
    TypeTag.BIG_INT.name: ("integer", 20, "Sum"),
    TypeTag.OID.name: ("integer", 19, "Sum"),
    TypeTag.DOUBLE.name: ("real", 5, "Sum"),
    TypeTag.NUMERIC.name: ("real", 131, "Sum"),
    TypeTag.TEXT.name: ("string", 129, "Count"),
    TypeTag.VARCHAR.name: ("string", 129, "Count"),
    TypeTag.CHAR.name: ("string", 129, "Count"),
    TypeTag.JSON.name: ("string", 129, "Count"),
    TypeTag.DATE.name: ("date", 133, "Year"),
    TypeTag.TIMESTAMP.name: ("datetime", 135, "Year"),
    TypeTag.TIMESTAMP_TZ.name: ("datetime", 135, "Year"),
}
# datatype -> (role, type)
_ROLE = {
    "boolean": ("dimension", "nominal"),
    "integer": ("measure", "quantitative"),
    "real": ("measure", "quantitative"),
    "string": ("dimension", "nominal"),
    "date": ("dimension", "ordinal"),
    "datetime": ("dimension", "ordinal"),
}
_UUID_NAMESPACE = uuid.UUID("0b6f6c43-6a0e-4c3e-9a57-2f0c1d6a7e11")
_BRACKET = re.compile(r"\[((?:[^\]]|\]\])+)\]")
_URL_FIELD = re.compile(r"<([^<>]+)>")
_QUALIFIED = re.compile(r"\[((?:[^\]]|\]\])+)\]\.\[((?:[^\]]|\]\])+)\]")


class WorkbookInfo(NamedTuple):
    """What ``build_twbx`` wrote."""

    path: Path
    worksheets: list[str]
    referenced_columns: dict[str, set[str]]


@dataclass(frozen=True)
class ColumnMeta:
    """One Hyper column as Tableau sees it."""

    name: str
    hyper_type: str
    ordinal: int
    datatype: str | None  # None: a Hyper type Tableau fields cannot use (BYTES, INTERVAL, ...)
    remote_type: int
    aggregation: str
    role: str
    type: str
    table: str = ""
    # the field's name in its datasource: ``name``, or ``name (table)`` when a table joined
    # earlier into the same datasource already has a column of that name (Tableau's convention)
    local: str = ""


class _TableColumns(dict):
    """Column metadata by local name; a lookup of a column the Hyper file lacks is a clear error."""

    def __init__(self, table: str, metas: list[ColumnMeta]) -> None:
        super().__init__((m.local, m) for m in metas)
        self.table = table

    def __missing__(self, column: str) -> ColumnMeta:
        raise ValueError(
            f"Workbook template references columns missing from the Hyper file: "
            f"{self.table}.{column}"
        )


def _hyper_process() -> HyperProcess:
    return HyperProcess(
        telemetry=Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_config": ""}
    )


def _read_columns(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    schemas = {schema.name.unescaped for schema in conn.catalog.get_schema_names()}
    if HYPER_SCHEMA not in schemas:
        return tables
    for table_name in conn.catalog.get_table_names(HYPER_SCHEMA):
        definition = conn.catalog.get_table_definition(table_name)
        tables[table_name.name.unescaped] = [
            (col.name.unescaped, col.type.tag.name) for col in definition.columns
        ]
    return tables


def hyper_table_columns(hyper_path: Path) -> dict[str, list[tuple[str, str]]]:
    """Table -> [(column, Hyper type tag name, e.g. ``BIG_INT``)] for schema ``Extract``."""
    hyper_path = Path(hyper_path)
    if not hyper_path.is_file():
        raise FileNotFoundError(f"Hyper file not found: {hyper_path}")
    with _hyper_process() as hyper:
        with Connection(hyper.endpoint, hyper_path, CreateMode.NONE) as conn:
            return _read_columns(conn)


def column_meta(
    name: str, hyper_type: str, ordinal: int, table: str = "", local: str = ""
) -> ColumnMeta:
    """Tableau metadata (datatype, remote type, aggregation, role) for one Hyper column."""
    datatype, remote_type, aggregation = _TYPE_MAP.get(hyper_type, (None, 129, "Count"))
    role, kind = _ROLE.get(datatype or "string", ("dimension", "nominal"))
    return ColumnMeta(
        name, hyper_type, ordinal, datatype, remote_type, aggregation, role, kind, table,
        local or name,
    )  # fmt: skip


def check_template_columns(columns: dict[str, list[tuple[str, str]]]) -> None:
    """Raise ``ValueError`` naming every template column missing from (or unusable in) the hyper."""
    problems: list[str] = []
    for table, needed in TEMPLATE_COLUMNS.items():
        if table not in columns:
            problems.append(f"table {HYPER_SCHEMA}.{table} is missing")
            continue
        present = {name: hyper_type for name, hyper_type in columns[table]}
        for column, allowed in needed.items():
            if column not in present:
                problems.append(f"column {table}.{column} is missing")
                continue
            datatype = column_meta(column, present[column], 0).datatype
            if datatype not in allowed:
                problems.append(
                    f"column {table}.{column} has Hyper type {present[column]} "
                    f"(Tableau {datatype}); the workbook needs {'/'.join(sorted(allowed))}"
                )
    if problems:
        raise ValueError("Hyper file does not match the workbook template: " + "; ".join(problems))


def _tableau_quote(name: object) -> str:
    return str(name).replace("]", "]]")


def _uid(key: str) -> str:
    return "{" + str(uuid.uuid5(_UUID_NAMESPACE, key)).upper() + "}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["tq"] = _tableau_quote
    return env


def render_twb(
    columns: dict[str, list[tuple[str, str]]],
    salary_range: tuple[int | float, int | float] | None = None,
) -> bytes:
    """Render the workbook template for these Hyper tables (checked first) as UTF-8 XML."""
    check_template_columns(columns)
    datasources = {}
    for name, (caption, joins) in DATASOURCES.items():
        usable: list[ColumnMeta] = []
        for table in (name, *(j.table for j in joins)):
            taken = {m.local for m in usable}
            for i, (column, hyper_type) in enumerate(columns[table]):
                local = column if column not in taken else f"{column} ({table})"
                meta = column_meta(column, hyper_type, i, table, local)
                if meta.datatype is not None:
                    usable.append(meta)
        datasources[name] = {
            "name": f"federated.{name}",
            "caption": caption,
            "conn": f"hyper.{name}",
            "table": name,
            "joins": joins,
            "columns": usable,
            "col": _TableColumns(name, usable),
        }
    template = _environment().get_template(TEMPLATE_NAME)
    text = template.render(
        ds=datasources, hyper_dbname=HYPER_ARCNAME, salary_range=salary_range, uid=_uid
    )
    return text.encode("utf-8")


def _bare(name: str) -> str:
    """``[col]]x]`` -> ``col]x``: strip one bracket pair and undo Tableau's ``]]`` escaping."""
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.replace("]]", "]")


def _instance_column(instance: str) -> str:
    """``none:title:nk`` -> ``title`` (column-instance name to column name)."""
    parts = instance.split(":")
    return ":".join(parts[1:-1]) if len(parts) >= 3 else instance


def referenced_columns_from_twb(
    xml_bytes: bytes, *, sheets_only: bool = False
) -> dict[str, set[str]]:
    """Hyper table -> every table column the workbook's datasources, sheets and actions name.

    Covers metadata records, datasource columns, calculated-field formulas, worksheet
    dependencies, column instances, shelves/filters/encodings/sorts and URL action fields;
    calculated fields themselves are excluded (they are not table columns). A joined
    datasource's fields resolve to their own tables through its metadata records. ``sheets_only``
    keeps only what worksheets, actions and join clauses use (not the datasources' column lists).
    """
    root = etree.fromstring(xml_bytes, etree.XMLParser(resolve_entities=False, no_network=True))
    ds_primary: dict[str, str] = {}  # datasource -> its own table
    ds_fields: dict[str, dict[str, tuple[str, str]]] = {}  # datasource -> local -> (table, col)
    calcs: dict[str, set[str]] = {}
    refs: dict[str, set[str]] = {}
    join_refs: list[tuple[str, str]] = []
    for ds in root.iterfind("datasources/datasource"):
        hyper = ds.find(".//connection[@class='hyper']")
        if hyper is None or not hyper.get("tablename"):
            continue
        name = ds.get("name", "")
        ds_primary[name] = hyper.get("tablename", "")
        tables = {  # relation name -> Hyper table ('[Extract].[t]' -> 't')
            r.get("name", ""): _bare(_BRACKET.findall(r.get("table", ""))[-1])
            for r in ds.iterfind(".//relation[@type='table']")
        }
        for table in (ds_primary[name], *tables.values()):
            refs.setdefault(table, set())
        ds_fields[name] = {
            _bare(rec.findtext("local-name", default="")): (
                tables.get(_bare(rec.findtext("parent-name", default="")), ds_primary[name]),
                rec.findtext("remote-name", default=""),
            )
            for rec in ds.iterfind(".//metadata-record[@class='column']")
        }
        calcs[name] = {
            _bare(c.get("name", ""))
            for c in ds.iterfind("column")
            if c.find("calculation") is not None
        }
        for clause in ds.iterfind(".//relation[@type='join']/clause"):
            for el in clause.iter("expression"):
                for relation, column in _QUALIFIED.findall(el.get("op", "")):
                    relation = _bare(f"[{relation}]")
                    join_refs.append((tables.get(relation, relation), _bare(f"[{column}]")))

    def add(ds_name: str | None, column: str) -> None:
        if ds_name in ds_primary and column not in calcs[ds_name]:
            table, remote = ds_fields[ds_name].get(column, (ds_primary[ds_name], column))
            refs[table].add(remote)

    def add_columns(ds_name: str | None, columns: list[etree._Element]) -> None:
        for column in columns:
            calc = column.find("calculation")
            if calc is None:
                add(ds_name, _bare(column.get("name", "")))
            else:
                for token in _BRACKET.findall(calc.get("formula", "")):
                    add(ds_name, _bare(f"[{token}]"))

    for table, column in join_refs:  # a join clause uses its columns whatever the sheets show
        refs.setdefault(table, set()).add(column)
    if not sheets_only:
        for ds in root.iterfind("datasources/datasource"):
            for record in ds.iterfind(".//metadata-record[@class='column']"):
                add(ds.get("name"), _bare(record.findtext("local-name", default="")))
            add_columns(ds.get("name"), ds.findall("column"))
    sheet_ds: dict[str | None, str | None] = {}
    for sheet in root.iterfind("worksheets/worksheet"):
        first = sheet.find("table/view/datasources/datasource")
        sheet_ds[sheet.get("name")] = first.get("name") if first is not None else None
        for deps in sheet.iter("datasource-dependencies"):
            add_columns(deps.get("datasource"), deps.findall("column"))
            for inst in deps.iterfind("column-instance"):
                add(deps.get("datasource"), _bare(inst.get("column", "")))
        # Qualified references on shelves, filters, encodings, sorts: [ds].[deriv:col:kind]
        for el in sheet.iter(tag=etree.Element):
            for text in (el.text or "", *el.attrib.values()):
                for ds_name, instance in _QUALIFIED.findall(text):
                    add(_bare(f"[{ds_name}]"), _instance_column(_bare(f"[{instance}]")))
    # URL actions: <field> placeholders resolve against the source sheet's datasource.
    for action in root.iterfind("actions/action"):
        link, source = action.find("link"), action.find("source")
        if link is None or source is None:
            continue
        ds_name = sheet_ds.get(source.get("worksheet")) or source.get("datasource")
        for field in _URL_FIELD.findall(link.get("expression", "")):
            add(ds_name, _bare(field))
    return refs


def _salary_range(conn: Connection) -> tuple[int | float, int | float] | None:
    # over all jobs: a superset of the ranked ones, so the filter's default range hides none
    row = conn.execute_list_query(
        f'SELECT MIN("salary_min_norm"), MAX("salary_min_norm") FROM "{HYPER_SCHEMA}"."fact_jobs"'
    )[0]
    return None if row[0] is None else (row[0], row[1])


def worksheet_names(xml_bytes: bytes) -> list[str]:
    """Names of the worksheets in a ``.twb``, in document order."""
    root = etree.fromstring(xml_bytes)
    return [ws.get("name", "") for ws in root.iterfind("worksheets/worksheet")]


def build_twbx(hyper_path: Path, out_path: Path) -> WorkbookInfo:
    """Render the template against ``hyper_path``; write the ``.twbx`` atomically to ``out_path``.

    Raises ``ValueError`` when the Hyper file lacks a column the template needs (or the rendered
    workbook references a column the file does not have).
    """
    hyper_path, out_path = Path(hyper_path), Path(out_path)
    if not hyper_path.is_file():
        raise FileNotFoundError(f"Hyper file not found: {hyper_path}")
    with _hyper_process() as hyper:
        with Connection(hyper.endpoint, hyper_path, CreateMode.NONE) as conn:
            columns = _read_columns(conn)
            check_template_columns(columns)
            salary_range = _salary_range(conn)
    xml_bytes = render_twb(columns, salary_range)
    referenced = referenced_columns_from_twb(xml_bytes)
    unknown = sorted(
        f"{table}.{col}"
        for table, cols in referenced.items()
        for col in cols
        if col not in {name for name, _ in columns.get(table, [])}
    )
    if unknown:
        raise ValueError(
            "Workbook template references columns missing from the Hyper file: "
            + ", ".join(unknown)
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = out_path.with_name(out_path.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(TWB_ARCNAME, xml_bytes)
            # Level 1: the extract dominates the archive; faster deflate, nearly the same size.
            zf.write(hyper_path, HYPER_ARCNAME, compresslevel=1)
        os.replace(tmp_path, out_path)
    finally:
        tmp_path.unlink(missing_ok=True)
    return WorkbookInfo(out_path, worksheet_names(xml_bytes), referenced)
