"""Load ``taxonomy_config/sources.yml``: run mode, per-source budgets, boards and HTTP policy.

Pure module (no Dagster). Secrets never live in the YAML: it names the env vars that hold them
(``JSEARCH_API_KEY``, ``GLASSDOOR_API_KEY``) and ``api_key()`` reads them when a client is built.
Env overrides: ``JOBS_SOURCE_MODE`` (mode), ``JOBS_REPLAY_DIR`` (replay_dir),
``JOBS_DEMO_POSTINGS`` (demo_postings_per_source).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from job_assets.ingest.envelope import SOURCES
from job_assets.ingest.http import HttpSettings, RequestBudget
from job_assets.settings import get_paths

MODES = ("demo", "live", "replay")
DATE_POSTED = ("auto", "all", "today", "3days", "week", "month")
LEVER_REGIONS = ("global", "eu")
BOARD_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
BOARD_SOURCES = ("greenhouse", "lever", "ashby")


@dataclass(frozen=True)
class BoardConfig:
    """One company's public job board on Greenhouse, Lever or Ashby."""

    token: str
    company_name: str
    region: str = "global"  # lever only: "global" (api.lever.co) or "eu" (api.eu.lever.co)


@dataclass(frozen=True)
class SourceConfig:
    """Settings every source has. ``budget`` = max HTTP requests per run (None = unlimited)."""

    name: str
    enabled: bool = True
    budget: int | None = None
    http: HttpSettings = field(default_factory=HttpSettings)

    def new_budget(self) -> RequestBudget:
        return RequestBudget(self.budget)


@dataclass(frozen=True)
class BoardSourceConfig(SourceConfig):
    """Greenhouse, Lever, Ashby: a list of public boards."""

    boards: tuple[BoardConfig, ...] = ()
    pay_transparency: bool = False  # greenhouse: one extra request per job for pay ranges
    page_size: int = 100  # lever: postings per page


@dataclass(frozen=True)
class JSearchConfig(SourceConfig):
    """JSearch (RapidAPI). ``date_posted: auto`` = the smallest window covering the partition."""

    api_key_env: str = "JSEARCH_API_KEY"
    queries: tuple[str, ...] = ()
    countries: tuple[str, ...] = ("us",)
    num_pages: int = 1
    max_pages: int = 5
    date_posted: str = "auto"

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        value = (os.environ if environ is None else environ).get(self.api_key_env, "").strip()
        return value or None


@dataclass(frozen=True)
class GlassdoorConfig(SourceConfig):
    """Real-Time Glassdoor Data (RapidAPI): company lookups cached for ``ttl_days``."""

    api_key_env: str = "GLASSDOOR_API_KEY"
    ttl_days: int = 30
    max_error_retries: int = 3

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        value = (os.environ if environ is None else environ).get(self.api_key_env, "").strip()
        return value or None


@dataclass(frozen=True)
class SourcesConfig:
    mode: str = "demo"
    replay_dir: Path | None = None
    demo_postings_per_source: int = 400
    http: HttpSettings = field(default_factory=HttpSettings)
    sources: Mapping[str, SourceConfig] = field(default_factory=dict)

    def enabled_sources(self) -> list[str]:
        return [name for name in SOURCES if name in self.sources and self.sources[name].enabled]


def default_sources_path() -> Path:
    return get_paths().taxonomy_dir / "sources.yml"


def _check_keys(where: str, raw: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(
            f"sources.yml: unknown key(s) {unknown} in {where}; allowed: {sorted(allowed)}"
        )


def _mapping(where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"sources.yml: {where} must be a mapping, got {type(value).__name__}")
    return dict(value)


def _int(where: str, value: Any, *, minimum: int = 0, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"sources.yml: {where} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"sources.yml: {where} must be >= {minimum}, got {value}")
    return value


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"sources.yml: {where} must be true or false, got {value!r}")
    return value


def _str_list(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        raise ValueError(f"sources.yml: {where} must be a list of strings")
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"sources.yml: {where} has a non-string or empty entry {item!r}")
        out.append(item.strip())
    return tuple(out)


def _http(where: str, raw: Any, base: HttpSettings) -> HttpSettings:
    values = _mapping(where, raw)
    allowed = {f.name for f in fields(HttpSettings)}
    _check_keys(where, values, allowed)
    merged = {f.name: getattr(base, f.name) for f in fields(HttpSettings)} | values
    try:
        return HttpSettings(**merged)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"sources.yml: {where}: {exc}") from None


def _boards(name: str, raw: Any) -> tuple[BoardConfig, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"sources.yml: sources.{name}.boards must be a list")
    boards: list[BoardConfig] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        where = f"sources.{name}.boards[{i}]"
        if isinstance(item, str):
            item = {"token": item}
        entry = _mapping(where, item)
        _check_keys(where, entry, {"token", "company_name", "region"})
        token = entry.get("token")
        if not isinstance(token, str) or not BOARD_TOKEN.match(token):
            raise ValueError(f"sources.yml: {where}.token must be a board token like 'stripe'")
        region = entry.get("region", "global")
        if region not in LEVER_REGIONS or (region != "global" and name != "lever"):
            raise ValueError(
                f"sources.yml: {where}.region must be one of {LEVER_REGIONS} (lever only)"
            )
        company = entry.get("company_name") or token
        if not isinstance(company, str):
            raise ValueError(f"sources.yml: {where}.company_name must be a string")
        if (token, region) in seen:
            raise ValueError(f"sources.yml: duplicate board {token!r} in sources.{name}.boards")
        seen.add((token, region))
        boards.append(BoardConfig(token=token, company_name=company, region=region))
    return tuple(boards)


_COMMON = {"enabled", "budget", "http"}


def _source(name: str, raw: Any, http_base: HttpSettings) -> SourceConfig:
    where = f"sources.{name}"
    values = _mapping(where, raw)
    common: dict[str, Any] = {
        "name": name,
        "enabled": _bool(f"{where}.enabled", values.get("enabled", True)),
        "budget": _int(f"{where}.budget", values.get("budget"), allow_none=True),
        "http": _http(f"{where}.http", values.get("http"), http_base),
    }
    if name in BOARD_SOURCES:
        _check_keys(where, values, _COMMON | {"boards", "pay_transparency", "page_size"})
        if "pay_transparency" in values and name != "greenhouse":
            raise ValueError(f"sources.yml: {where}.pay_transparency is a greenhouse option")
        if "page_size" in values and name != "lever":
            raise ValueError(f"sources.yml: {where}.page_size is a lever option")
        return BoardSourceConfig(
            **common,
            boards=_boards(name, values.get("boards")),
            pay_transparency=_bool(
                f"{where}.pay_transparency", values.get("pay_transparency", False)
            ),
            page_size=_int(f"{where}.page_size", values.get("page_size", 100), minimum=1),
        )
    if name == "jsearch":
        _check_keys(
            where,
            values,
            _COMMON
            | {"api_key_env", "queries", "countries", "num_pages", "max_pages", "date_posted"},
        )
        date_posted = values.get("date_posted", "auto")
        if date_posted not in DATE_POSTED:
            raise ValueError(f"sources.yml: {where}.date_posted must be one of {DATE_POSTED}")
        countries = _str_list(f"{where}.countries", values.get("countries", ["us"]))
        return JSearchConfig(
            **common,
            api_key_env=_env_name(
                f"{where}.api_key_env", values.get("api_key_env", "JSEARCH_API_KEY")
            ),
            queries=_str_list(f"{where}.queries", values.get("queries")),
            countries=tuple(c.lower() for c in countries),
            num_pages=_int(f"{where}.num_pages", values.get("num_pages", 1), minimum=1),
            max_pages=_int(f"{where}.max_pages", values.get("max_pages", 5), minimum=1),
            date_posted=date_posted,
        )
    if name == "glassdoor":
        _check_keys(where, values, _COMMON | {"api_key_env", "ttl_days", "max_error_retries"})
        return GlassdoorConfig(
            **common,
            api_key_env=_env_name(
                f"{where}.api_key_env", values.get("api_key_env", "GLASSDOOR_API_KEY")
            ),
            ttl_days=_int(f"{where}.ttl_days", values.get("ttl_days", 30), minimum=1),
            max_error_retries=_int(
                f"{where}.max_error_retries", values.get("max_error_retries", 3)
            ),
        )
    raise ValueError(f"sources.yml: unknown source {name!r}; known: {list(SOURCES)}")


def _env_name(where: str, value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", value):
        raise ValueError(
            f"sources.yml: {where} must be an env var NAME like JSEARCH_API_KEY, not a value"
        )
    return value


def parse_sources_config(
    raw: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> SourcesConfig:
    """Validate a parsed sources.yml mapping (env overrides applied) into a ``SourcesConfig``."""
    env = os.environ if environ is None else environ
    values = _mapping("top level", raw)
    _check_keys(
        "top level", values, {"mode", "replay_dir", "demo_postings_per_source", "http", "sources"}
    )
    mode = (env.get("JOBS_SOURCE_MODE") or "").strip() or values.get("mode", "demo")
    if mode not in MODES:
        raise ValueError(f"unknown source mode {mode!r}: expected one of {MODES}")
    replay = (env.get("JOBS_REPLAY_DIR") or "").strip() or values.get("replay_dir")
    if replay is not None and not isinstance(replay, str):
        raise ValueError("sources.yml: replay_dir must be a path string")
    http_base = _http("http", values.get("http"), HttpSettings())
    source_raw = _mapping("sources", values.get("sources"))
    unknown = sorted(set(source_raw) - set(SOURCES))
    if unknown:
        raise ValueError(f"sources.yml: unknown source(s) {unknown}; known: {list(SOURCES)}")
    sources = {name: _source(name, source_raw.get(name), http_base) for name in SOURCES}
    return SourcesConfig(
        mode=mode,
        replay_dir=Path(replay).expanduser() if replay else None,
        demo_postings_per_source=_int(
            "demo_postings_per_source",
            int(env["JOBS_DEMO_POSTINGS"])
            if (env.get("JOBS_DEMO_POSTINGS") or "").strip().isdigit()
            else values.get("demo_postings_per_source", 400),
        ),
        http=http_base,
        sources=sources,
    )


def load_sources_config(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> SourcesConfig:
    """Read sources.yml (default: ``<taxonomy_dir>/sources.yml``); a missing file gives defaults
    only when no path was given explicitly."""
    explicit = path is not None
    path = Path(path) if explicit else default_sources_path()
    if not path.exists():
        if explicit:
            raise FileNotFoundError(f"sources config not found: {path}")
        return parse_sources_config({}, environ)
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    try:
        return parse_sources_config(raw, environ)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
