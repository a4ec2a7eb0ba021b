"""Job-seeker campaigns: load ``taxonomy_config/campaigns.yml``, validate it, and shape it for SQL.

Validation collects every problem before raising, so a user fixes the file in one pass. Pure
module: no Dagster import.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from job_assets.settings import get_paths
from job_assets.taxonomy import load_yaml

REMOTE_TYPES: tuple[str, ...] = ("onsite", "hybrid", "remote", "unknown")
SENIORITY_LEVELS: tuple[str, ...] = (
    "intern",
    "junior",
    "mid",
    "senior",
    "staff",
    "principal",
    "lead",
    "head",
    "unknown",
)
EMPLOYMENT_TYPES: tuple[str, ...] = (
    "full_time",
    "part_time",
    "contract",
    "internship",
    "temporary",
    "unknown",
)
# Used when the caller passes no ``known_currencies``: ISO 4217 codes a posting is likely to use.
DEFAULT_CURRENCIES: frozenset[str] = frozenset(
    "AED ARS AUD BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR ILS INR JPY KES KRW MXN "
    "MYR NGN NOK NZD PEN PHP PKR PLN RON SAR SEK SGD THB TRY TWD UAH USD VND ZAR".split()
)
# JSearch's ``employment_types`` filter values.
JSEARCH_EMPLOYMENT: dict[str, str] = {
    "full_time": "FULLTIME",
    "part_time": "PARTTIME",
    "contract": "CONTRACTOR",
    "internship": "INTERN",
    "temporary": "CONTRACTOR",
}
CAMPAIGN_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "name",
        "owner",
        "active",
        "titles",
        "title_families",
        "skills",
        "exclude_keywords",
        "exclude_companies",
        "locations",
        "countries",
        "remote",
        "salary",
        "seniority",
        "employment_types",
        "company_sizes",
        "min_score",
        "notify",
    }
)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SIZE_RE = re.compile(r"^(\d+-\d+|\d+\+|unknown)$")


class _Yaml12BoolLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans, so region ``ON`` or country ``NO`` stay
    strings (YAML 1.1 would read them as booleans)."""


_Yaml12BoolLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12BoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class CampaignError(ValueError):
    """``campaigns.yml`` is invalid. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str], source: str = "campaigns.yml") -> None:
        self.problems = list(problems)
        n = len(self.problems)
        header = f"{source}: {n} problem{'s' if n != 1 else ''}"
        super().__init__("\n".join([header, *self.problems]))


@dataclass(frozen=True)
class CampaignSkill:
    """A wanted skill (canonical taxonomy name) with its relative weight."""

    name: str
    weight: float = 1.0
    must_have: bool = False


@dataclass(frozen=True)
class LocationPref:
    """A place the seeker would work on site; any field may be None (e.g. a whole region)."""

    city: str | None = None
    region: str | None = None
    country: str | None = None

    def label(self) -> str:
        """Human label, e.g. ``Toronto, ON``."""
        parts = [p for p in (self.city, self.region) if p]
        if not parts and self.country:
            parts = [self.country]
        return ", ".join(parts) or "anywhere"


@dataclass(frozen=True)
class SalaryPref:
    """Yearly salary wanted: below ``floor`` scores nothing, at ``target`` or above scores full."""

    floor: int | None
    target: int | None
    currency: str


@dataclass(frozen=True)
class NotifyPref:
    """Digest delivery: recipients and how many top jobs to include."""

    email: tuple[str, ...] = ()
    top_n: int = 10


@dataclass(frozen=True)
class Campaign:
    """One job search. Empty tuples mean "no preference"."""

    id: str
    name: str
    owner: str | None = None
    active: bool = True
    titles: tuple[str, ...] = ()
    title_families: tuple[str, ...] = ()
    skills: tuple[CampaignSkill, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    exclude_companies: tuple[str, ...] = ()
    locations: tuple[LocationPref, ...] = ()
    countries: tuple[str, ...] = ()
    remote: tuple[str, ...] = ()
    salary: SalaryPref | None = None
    seniority: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    company_sizes: tuple[str, ...] = ()
    min_score: float = 0.0
    notify: NotifyPref = field(default_factory=NotifyPref)

    @property
    def effective_countries(self) -> tuple[str, ...]:
        """``countries``, or the countries of ``locations`` when none are listed."""
        if self.countries:
            return self.countries
        seen: dict[str, None] = {}
        for loc in self.locations:
            if loc.country:
                seen[loc.country] = None
        return tuple(seen)


@dataclass(frozen=True)
class CampaignsConfig:
    """The whole file: every campaign (active or not) and the reporting currency."""

    reporting_currency: str
    campaigns: tuple[Campaign, ...]

    def get(self, campaign_id: str) -> Campaign:
        for c in self.campaigns:
            if c.id == campaign_id:
                return c
        raise KeyError(campaign_id)


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------


def default_campaigns_path() -> Path:
    """The campaigns in force: the user's copy (written by ``jobs campaign ...``) when it
    exists, else the shipped default in taxonomy_config/campaigns.yml."""
    paths = get_paths()
    if paths.user_campaigns_path.exists():
        return paths.user_campaigns_path
    return paths.taxonomy_dir / "campaigns.yml"


def taxonomy_skill_names(taxonomy_dir: Path | None = None) -> set[str] | None:
    """Canonical skill names from ``skills.yml`` (``skills[*].name``), or None if absent."""
    path = (taxonomy_dir or get_paths().taxonomy_dir) / "skills.yml"
    if not path.exists():
        return None
    data = load_yaml("skills.yml", path.parent) or {}
    return {
        str(s["name"]) for s in data.get("skills", []) if isinstance(s, Mapping) and s.get("name")
    }


def load_campaigns(
    path: Path | str | None = None,
    skill_names: set[str] | None = None,
    known_currencies: set[str] | None = None,
) -> CampaignsConfig:
    """Read and validate ``campaigns.yml``; raise ``CampaignError`` listing every problem.

    ``skill_names`` (canonical taxonomy names) drives the unknown-skill check; skills are matched
    case-insensitively and rewritten to the canonical spelling. ``None`` reads the names from the
    taxonomy folder's ``skills.yml`` when it exists; pass an empty set to skip the check.
    ``known_currencies`` defaults to ``DEFAULT_CURRENCIES``.
    """
    p = Path(path) if path is not None else default_campaigns_path()
    if skill_names is None:
        skill_names = taxonomy_skill_names()
    if not p.exists():
        raise CampaignError([f"file not found: {p}"], source=p.name)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_Yaml12BoolLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise CampaignError([f"invalid YAML: {exc}"], source=p.name) from exc
    return parse_campaigns(data, skill_names, known_currencies, source=p.name)


def parse_campaigns(
    data: Any,
    skill_names: set[str] | None = None,
    known_currencies: set[str] | None = None,
    source: str = "campaigns.yml",
) -> CampaignsConfig:
    """Validate an already-parsed YAML document (see ``load_campaigns``)."""
    currencies = {c.upper() for c in (known_currencies or DEFAULT_CURRENCIES)}
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise CampaignError(["top level must be a mapping with 'campaigns'"], source=source)
    reporting = str(data.get("reporting_currency") or "").upper()
    if not reporting:
        problems.append(f"missing reporting_currency in {source}")
    elif reporting not in currencies:
        problems.append(f"unknown reporting_currency '{reporting}' in {source}")
    for key in sorted(set(data) - {"reporting_currency", "campaigns"}):
        problems.append(f"unknown top-level key '{key}' in {source}")
    raw = data.get("campaigns")
    if not isinstance(raw, list) or not raw:
        problems.append(f"'campaigns' must be a non-empty list in {source}")
        raw = []
    canon = {s.lower(): s for s in skill_names} if skill_names else None
    campaigns: list[Campaign] = []
    seen_ids: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            problems.append(f"campaign #{i + 1} is not a mapping in {source}")
            continue
        cid = str(item.get("id") or "").strip()
        if not cid:
            problems.append(f"campaign #{i + 1} has no id in {source}")
            cid = f"#{i + 1}"
        elif not _ID_RE.match(cid):
            problems.append(
                f"invalid id '{cid}' in campaign {cid}; use lowercase letters, digits, '-' or '_'"
            )
        if cid in seen_ids:
            problems.append(f"duplicate campaign id '{cid}' in campaign {cid}")
        seen_ids.add(cid)
        campaign = _parse_campaign(item, cid, canon, currencies, reporting, problems)
        if campaign is not None:
            campaigns.append(campaign)
    if problems:
        raise CampaignError(problems, source=source)
    return CampaignsConfig(reporting_currency=reporting, campaigns=tuple(campaigns))


def _suggest(value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    lower = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(lower), n=1, cutoff=0.6)
    return f"; did you mean '{lower[match[0]]}'?" if match else ""


def _str_list(
    item: Mapping[str, Any], key: str, cid: str, problems: list[str], lower: bool = False
) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        problems.append(f"'{key}' must be a list of strings in campaign {cid}")
        return ()
    out = [str(v).strip() for v in value if str(v).strip()]
    if lower:
        out = [v.lower() for v in out]
    return tuple(dict.fromkeys(out))


def _enum_list(
    item: Mapping[str, Any], key: str, allowed: tuple[str, ...], cid: str, problems: list[str]
) -> tuple[str, ...]:
    values = _str_list(item, key, cid, problems, lower=True)
    for v in values:
        if v not in allowed:
            problems.append(
                f"unknown {key} value '{v}' in campaign {cid}{_suggest(v, allowed)}"
                f" (allowed: {', '.join(allowed)})"
            )
    return tuple(v for v in values if v in allowed)


def _parse_campaign(
    item: Mapping[str, Any],
    cid: str,
    canon: dict[str, str] | None,
    currencies: set[str],
    reporting: str,
    problems: list[str],
) -> Campaign | None:
    for key in sorted(set(item) - CAMPAIGN_KEYS):
        problems.append(f"unknown key '{key}' in campaign {cid}{_suggest(str(key), CAMPAIGN_KEYS)}")

    skills = _parse_skills(item.get("skills"), cid, canon, problems)
    locations = _parse_locations(item.get("locations"), cid, problems)
    countries = _str_list(item, "countries", cid, problems)
    countries = tuple(c.upper() for c in countries)
    for c in countries:
        if not _COUNTRY_RE.match(c):
            problems.append(f"country '{c}' is not an alpha-2 code in campaign {cid}")
    salary = _parse_salary(item.get("salary"), cid, currencies, reporting, problems)
    sizes = _str_list(item, "company_sizes", cid, problems)
    for s in sizes:
        if not _SIZE_RE.match(s):
            problems.append(
                f"unknown company_sizes value '{s}' in campaign {cid} (expected e.g. '51-200', "
                "'10000+', 'unknown')"
            )
    min_score = item.get("min_score", 0)
    if not isinstance(min_score, (int, float)) or isinstance(min_score, bool):
        problems.append(f"min_score must be a number in campaign {cid}")
        min_score = 0
    elif not 0 <= min_score <= 100:
        problems.append(f"min_score {min_score} outside 0-100 in campaign {cid}")
    notify = _parse_notify(item.get("notify"), cid, problems)
    owner = item.get("owner")
    active = item.get("active", True)
    if not isinstance(active, bool):
        problems.append(f"active must be true or false in campaign {cid}")
        active = bool(active)
    titles = _str_list(item, "titles", cid, problems)
    families = _str_list(item, "title_families", cid, problems, lower=True)
    if not titles and not families and not skills:
        problems.append(f"campaign {cid} has no titles, title_families or skills to match on")
    return Campaign(
        id=cid,
        name=str(item.get("name") or cid),
        owner=str(owner) if owner else None,
        active=active,
        titles=titles,
        title_families=families,
        skills=skills,
        exclude_keywords=_str_list(item, "exclude_keywords", cid, problems),
        exclude_companies=_str_list(item, "exclude_companies", cid, problems),
        locations=locations,
        countries=countries,
        remote=_enum_list(item, "remote", REMOTE_TYPES, cid, problems),
        salary=salary,
        seniority=_enum_list(item, "seniority", SENIORITY_LEVELS, cid, problems),
        employment_types=_enum_list(item, "employment_types", EMPLOYMENT_TYPES, cid, problems),
        company_sizes=sizes,
        min_score=float(min_score),
        notify=notify,
    )


def _parse_skills(
    value: Any, cid: str, canon: dict[str, str] | None, problems: list[str]
) -> tuple[CampaignSkill, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"'skills' must be a list in campaign {cid}")
        return ()
    out: dict[str, CampaignSkill] = {}
    for entry in value:
        if isinstance(entry, str):
            name, weight, must = entry.strip(), 1.0, False
        elif isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            name = entry["name"].strip()
            weight = entry.get("weight", 1.0)
            must = entry.get("must_have", False)
            extra = set(entry) - {"name", "weight", "must_have"}
            for key in sorted(extra):
                problems.append(f"unknown key '{key}' in skill '{name}' in campaign {cid}")
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
                problems.append(f"weight of skill '{name}' must be > 0 in campaign {cid}")
                weight = 1.0
            if not isinstance(must, bool):
                problems.append(f"must_have of skill '{name}' must be true/false in campaign {cid}")
                must = False
        else:
            problems.append(
                f"skill entry {entry!r} is not a name or {{name: ...}} in campaign {cid}"
            )
            continue
        if not name:
            continue
        if canon is not None:
            if name.lower() in canon:
                name = canon[name.lower()]
            else:
                problems.append(
                    f"unknown skill '{name}' in campaign {cid}{_suggest(name, canon.values())}"
                )
                continue
        if name.lower() in {k.lower() for k in out}:
            problems.append(f"duplicate skill '{name}' in campaign {cid}")
            continue
        out[name] = CampaignSkill(name=name, weight=float(weight), must_have=must)
    return tuple(out.values())


def _parse_locations(value: Any, cid: str, problems: list[str]) -> tuple[LocationPref, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"'locations' must be a list in campaign {cid}")
        return ()
    out: list[LocationPref] = []
    for entry in value:
        if not isinstance(entry, Mapping):
            problems.append(
                f"location {entry!r} must be a mapping {{city, region, country}} in campaign {cid}"
            )
            continue
        extra = set(entry) - {"city", "region", "country"}
        for key in sorted(extra):
            problems.append(f"unknown key '{key}' in location in campaign {cid}")
        for k in ("city", "region", "country"):
            if isinstance(entry.get(k), bool):
                problems.append(
                    f"location {k} parsed as a boolean in campaign {cid}; quote it (e.g. 'ON')"
                )
        city, region, country = (
            str(entry[k]).strip() if entry.get(k) not in (None, "") else None
            for k in ("city", "region", "country")
        )
        if country is not None:
            country = country.upper()
            if not _COUNTRY_RE.match(country):
                problems.append(f"location country '{country}' is not alpha-2 in campaign {cid}")
        if region is not None:
            region = region.upper()
        if not (city or region or country):
            problems.append(f"empty location in campaign {cid}")
            continue
        out.append(LocationPref(city=city, region=region, country=country))
    return tuple(out)


def _parse_salary(
    value: Any, cid: str, currencies: set[str], reporting: str, problems: list[str]
) -> SalaryPref | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append(f"'salary' must be a mapping {{floor, target, currency}} in campaign {cid}")
        return None
    for key in sorted(set(value) - {"floor", "target", "currency"}):
        problems.append(f"unknown key '{key}' in salary in campaign {cid}")
    nums: dict[str, int | None] = {}
    for key in ("floor", "target"):
        v = value.get(key)
        if v is None:
            nums[key] = None
        elif isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            problems.append(f"salary {key} {v!r} must be a non-negative number in campaign {cid}")
            nums[key] = None
        else:
            nums[key] = int(v)
    floor, target = nums["floor"], nums["target"]
    if floor is None and target is None:
        problems.append(f"salary needs a floor or a target in campaign {cid}")
    if floor is not None and target is not None and floor > target:
        problems.append(f"salary floor {floor} is above target {target} in campaign {cid}")
    currency = str(value.get("currency") or reporting).upper()
    if currency not in currencies:
        problems.append(
            f"unknown salary currency '{currency}' in campaign {cid}"
            f"{_suggest(currency, currencies)}"
        )
    return SalaryPref(floor=floor, target=target, currency=currency)


def _parse_notify(value: Any, cid: str, problems: list[str]) -> NotifyPref:
    if value is None:
        return NotifyPref()
    if not isinstance(value, Mapping):
        problems.append(f"'notify' must be a mapping {{email, top_n}} in campaign {cid}")
        return NotifyPref()
    for key in sorted(set(value) - {"email", "top_n"}):
        problems.append(f"unknown key '{key}' in notify in campaign {cid}")
    emails = _str_list(value, "email", cid, problems)
    for e in emails:
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", e):
            problems.append(f"invalid email '{e}' in campaign {cid}")
    top_n = value.get("top_n", 10)
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        problems.append(f"notify.top_n must be a positive integer in campaign {cid}")
        top_n = 10
    return NotifyPref(email=emails, top_n=top_n)


# --------------------------------------------------------------------------------------------
# Views of the config
# --------------------------------------------------------------------------------------------


def active_campaigns(cfg: CampaignsConfig) -> tuple[Campaign, ...]:
    """Campaigns with ``active: true``, in file order."""
    return tuple(c for c in cfg.campaigns if c.active)


def convert_salary(
    campaign: Campaign, reporting_currency: str, fx_rates: Mapping[str, float] | None = None
) -> tuple[int | None, int | None]:
    """Campaign (floor, target) in the reporting currency.

    ``fx_rates`` maps a currency to units of the reporting currency per unit; required only when a
    campaign states its salary in another currency.
    """
    if campaign.salary is None:
        return None, None
    s = campaign.salary
    if s.currency == reporting_currency:
        return s.floor, s.target
    rate = (fx_rates or {}).get(s.currency)
    if rate is None:
        raise CampaignError(
            [
                f"no exchange rate {s.currency}->{reporting_currency} for salary in campaign "
                f"{campaign.id}"
            ]
        )
    return (
        None if s.floor is None else round(s.floor * rate),
        None if s.target is None else round(s.target * rate),
    )


_SKILL_STRUCT = pl.Struct({"name": pl.String, "weight": pl.Float64, "must_have": pl.Boolean})
_LOC_STRUCT = pl.Struct({"city": pl.String, "region": pl.String, "country": pl.String})


def campaigns_frame(
    cfg: CampaignsConfig,
    fx_rates: Mapping[str, float] | None = None,
    only_active: bool = False,
) -> pl.DataFrame:
    """One row per campaign with list columns (skills and locations as lists of structs).

    ``salary_floor``/``salary_target`` are in the reporting currency (see ``convert_salary``).
    """
    chosen = active_campaigns(cfg) if only_active else cfg.campaigns
    rows: list[dict[str, Any]] = []
    for c in chosen:
        floor, target = convert_salary(c, cfg.reporting_currency, fx_rates)
        rows.append(
            {
                "campaign_id": c.id,
                "campaign_name": c.name,
                "owner": c.owner,
                "active": c.active,
                "titles": list(c.titles),
                "title_families": list(c.title_families),
                "skills": [
                    {"name": s.name, "weight": s.weight, "must_have": s.must_have} for s in c.skills
                ],
                "exclude_keywords": list(c.exclude_keywords),
                "exclude_companies": list(c.exclude_companies),
                "locations": [
                    {"city": loc.city, "region": loc.region, "country": loc.country}
                    for loc in c.locations
                ],
                "countries": list(c.effective_countries),
                "remote": list(c.remote),
                "salary_floor": floor,
                "salary_target": target,
                "salary_currency": cfg.reporting_currency if c.salary else None,
                "seniority": list(c.seniority),
                "employment_types": list(c.employment_types),
                "company_sizes": list(c.company_sizes),
                "min_score": c.min_score,
                "notify_email": list(c.notify.email),
                "notify_top_n": c.notify.top_n,
            }
        )
    schema = {
        "campaign_id": pl.String,
        "campaign_name": pl.String,
        "owner": pl.String,
        "active": pl.Boolean,
        "titles": pl.List(pl.String),
        "title_families": pl.List(pl.String),
        "skills": pl.List(_SKILL_STRUCT),
        "exclude_keywords": pl.List(pl.String),
        "exclude_companies": pl.List(pl.String),
        "locations": pl.List(_LOC_STRUCT),
        "countries": pl.List(pl.String),
        "remote": pl.List(pl.String),
        "salary_floor": pl.Int64,
        "salary_target": pl.Int64,
        "salary_currency": pl.String,
        "seniority": pl.List(pl.String),
        "employment_types": pl.List(pl.String),
        "company_sizes": pl.List(pl.String),
        "min_score": pl.Float64,
        "notify_email": pl.List(pl.String),
        "notify_top_n": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    """The YAML-shaped mapping of one campaign (empty preferences omitted)."""
    out: dict[str, Any] = {"id": campaign.id, "name": campaign.name}
    if campaign.owner:
        out["owner"] = campaign.owner
    out["active"] = campaign.active
    for key in ("titles", "title_families"):
        if getattr(campaign, key):
            out[key] = list(getattr(campaign, key))
    if campaign.skills:
        skills: list[Any] = []
        for s in campaign.skills:
            if s.weight == 1.0 and not s.must_have:
                skills.append(s.name)
            else:
                d: dict[str, Any] = {"name": s.name}
                if s.weight != 1.0:
                    d["weight"] = int(s.weight) if s.weight.is_integer() else s.weight
                if s.must_have:
                    d["must_have"] = True
                skills.append(d)
        out["skills"] = skills
    for key in ("exclude_keywords", "exclude_companies"):
        if getattr(campaign, key):
            out[key] = list(getattr(campaign, key))
    if campaign.locations:
        out["locations"] = [
            {k: v for k, v in (("city", c.city), ("region", c.region), ("country", c.country)) if v}
            for c in campaign.locations
        ]
    for key in ("countries", "remote"):
        if getattr(campaign, key):
            out[key] = list(getattr(campaign, key))
    if campaign.salary:
        sal: dict[str, Any] = {}
        if campaign.salary.floor is not None:
            sal["floor"] = campaign.salary.floor
        if campaign.salary.target is not None:
            sal["target"] = campaign.salary.target
        sal["currency"] = campaign.salary.currency
        out["salary"] = sal
    for key in ("seniority", "employment_types", "company_sizes"):
        if getattr(campaign, key):
            out[key] = list(getattr(campaign, key))
    ms = campaign.min_score
    out["min_score"] = int(ms) if float(ms).is_integer() else ms
    out["notify"] = {"email": list(campaign.notify.email), "top_n": campaign.notify.top_n}
    return out


def dump_campaign_yaml(campaign: Campaign) -> str:
    """YAML text of one campaign, loadable again as a list item of ``campaigns:``."""
    return yaml.safe_dump(
        campaign_to_dict(campaign), sort_keys=False, allow_unicode=True, width=100
    )


def jsearch_queries(cfg: CampaignsConfig) -> list[dict[str, Any]]:
    """JSearch search requests covering every active campaign, deduplicated across campaigns.

    Each dict: ``query`` ("data engineer in Toronto, ON"), ``country`` (lowercase alpha-2 or
    None), ``work_from_home`` (bool), ``employment_types`` (JSearch's comma list or None) and
    ``campaign_ids`` (campaigns the query serves).
    """
    merged: dict[tuple[str, str | None, bool, str | None], list[str]] = {}
    for c in active_campaigns(cfg):
        emp = sorted({JSEARCH_EMPLOYMENT[e] for e in c.employment_types if e in JSEARCH_EMPLOYMENT})
        emp_s = ",".join(emp) or None
        countries = c.effective_countries
        for title in c.titles:
            keys: list[tuple[str, str | None, bool, str | None]] = []
            for loc in c.locations:
                country = (loc.country or (countries[0] if len(countries) == 1 else None)) or None
                keys.append((f"{title} in {loc.label()}", _lc(country), False, emp_s))
            wants_remote = "remote" in c.remote or not c.locations
            if wants_remote:
                for country in countries or (None,):
                    keys.append((title, _lc(country), "remote" in c.remote, emp_s))
            for key in keys:
                ids = merged.setdefault(key, [])
                if c.id not in ids:
                    ids.append(c.id)
    return [
        {
            "query": q,
            "country": country,
            "work_from_home": wfh,
            "employment_types": emp,
            "campaign_ids": ids,
        }
        for (q, country, wfh, emp), ids in merged.items()
    ]


def _lc(value: str | None) -> str | None:
    return value.lower() if value else None
