"""Draft a job-search campaign from a résumé (.md, .markdown, .txt or .pdf).

``read_resume_text`` turns the file into text, ``analyze_resume`` pulls a ``ResumeProfile`` out
of it (skills with mention counts, recent job titles, seniority, home location, remote wish,
email) using the normalize taxonomies, and ``draft_campaign`` writes a one-campaign
``campaigns.yml`` document (``active: false``) for the user to review. Pure module: no Dagster.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl
import yaml

from job_assets.normalize.locations import LocationTaxonomy, load_locations, parse_locations
from job_assets.normalize.skills import SkillTaxonomy, extract_skills, load_skill_taxonomy
from job_assets.normalize.titles import (
    OTHER_FAMILY,
    SeniorityTaxonomy,
    TitleTaxonomy,
    classify_titles,
    load_seniority,
    load_title_taxonomy,
)
from job_assets.ranking.campaigns import (
    Campaign,
    CampaignSkill,
    LocationPref,
    NotifyPref,
    _Yaml12BoolLoader,
    default_campaigns_path,
    dump_campaign_yaml,
    parse_campaigns,
)

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".md", ".markdown", ".txt", ".pdf")
MAX_SKILLS = 12
TOP_WEIGHTED = 4
DRAFT_MIN_SCORE = 60

# Campaign seniority for a profile level: the level plus the sensible neighbours.
SENIORITY_SPREAD: dict[str, tuple[str, ...]] = {
    "intern": ("intern", "junior"),
    "junior": ("junior", "mid"),
    "mid": ("mid", "senior"),
    "senior": ("senior", "staff"),
    "staff": ("senior", "staff", "principal"),
    "principal": ("staff", "principal"),
    "lead": ("senior", "lead"),
    "head": ("lead", "head"),
}

_SECTION_WORDS = (
    r"(?:work |professional |relevant |career |employment )?(?:experience|history)"
    r"|employment(?: history)?|work history|career history"
    r"|education|(?:technical |core |key )?skills(?: and tools)?|technologies|tools"
    r"|(?:personal |selected |side )?projects|certifications?|licenses(?: and certifications)?"
    r"|publications|awards|honou?rs|languages|interests|volunteer(?:ing| experience)?"
    r"|summary|professional summary|profile|about(?: me)?|objective|references|contact"
    r"|training|courses|achievements|open source"
)
_HEADING_RE = re.compile(rf"^(?:{_SECTION_WORDS})$", re.IGNORECASE)
_EXPERIENCE_RE = re.compile(
    r"^(?:(?:work |professional |relevant |career |employment )?experience"
    r"|employment(?: history)?|work history|career history|professional history)$",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"^\s*(?:[-*+•·▪●◦‣–]\s|\d+[.)]\s)")
_UNDERLINE_RE = re.compile(r"^\s*[-=_~*]{3,}\s*$")
_MARKUP_RE = re.compile(r"^\s*#+\s*|\*\*|__|(?<!\w)[*_]|[*_](?!\w)|`")
# Strong separators between a title and the company / place / dates on one line.
_TITLE_SPLIT_RE = re.compile(r"\s+[|—–@·•]\s+|\s+-\s+|\s+at\s+|\t|\s{3,}|\s*[(\[]")
_ROLE_RE = re.compile(
    r"(?i)\b(?:engineer|developer|scientist|analyst|manager|architect|designer|director|lead"
    r"|head|consultant|administrator|specialist|programmer|officer|intern|researcher|vp"
    r"|president|cto|ciso|owner|tester|sdet|sre|devops|dba|statistician|coordinator"
    r"|recruiter|accountant|writer|strategist|marketer|representative|executive|associate"
    r"|technician|founder|partner)s?\b"
)
_YEAR_RE = re.compile(r"\b(?:19[6-9]\d|20\d\d)\b")
_PRESENT_RE = re.compile(r"(?i)\b(?:present|current|now|today|ongoing)\b")
_YEARS_EXP_RE = re.compile(
    r"(?i)\b(\d{1,2})\s*(\+)?\s*(?:years?|yrs?)\b(?:\s+of)?(\s+(?:professional\s+|industry\s+"
    r"|hands-on\s+|relevant\s+|work\s+)?(?:experience|exp)\b)?"
)
_REMOTE_RE = re.compile(
    r"(?i)\b(?:remote(?![- ](?:sensing|control|monitoring|access|desktop))"
    r"|work(?:ing)? from home|wfh|telecommut\w*|fully distributed)\b"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HEADER_SPLIT_RE = re.compile(r"\s*[|•·●▪✉☎📍]\s*|\t|\s{3,}|\s+[-–—]\s+")
_NOT_PLACE_RE = re.compile(r"(?i)@|https?:|www\.|\.(?:com|io|dev|me|org|net)\b|linkedin|github")
_HEADER_LINES = 12


@dataclass(frozen=True)
class SkillMention:
    """A canonical skill and the number of résumé lines that mention it."""

    name: str
    mentions: int


@dataclass(frozen=True)
class ResumeTitle:
    """A job title from the experience section, classified with the title taxonomy."""

    raw: str
    title_std: str
    family: str
    seniority: str  # a seniority level or "unknown"
    end_year: int | None = None  # None = no date found; 9999 = present


@dataclass(frozen=True)
class ResumeProfile:
    """What a résumé says about the search: skills most mentioned first, titles most recent
    first, ``seniority`` None when neither titles nor years of experience tell."""

    skills: tuple[SkillMention, ...] = ()
    recent_titles: tuple[ResumeTitle, ...] = ()
    seniority: str | None = None
    years_experience: int | None = None
    location: LocationPref | None = None
    remote: bool = False
    email: str | None = None

    @property
    def skill_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.skills)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_resume_text(path: Path) -> str:
    """The résumé's text: .md/.markdown/.txt read as UTF-8, .pdf through pypdf.

    Raises ``ValueError`` for another extension, and for a PDF yielding no text.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise ValueError(
            f"unsupported résumé format '{ext or path.name}': use one of "
            f"{', '.join(SUPPORTED_EXTENSIONS)}"
        )
    if ext != ".pdf":
        return path.read_text(encoding="utf-8-sig")
    from pypdf import PdfReader  # imported lazily: only PDF résumés need it

    no_text = f"no text could be extracted from {path.name} (scanned image?)"
    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types on a damaged file
        raise ValueError(f"{no_text}: {exc}") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise ValueError(no_text)
    return text


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


def _clean(line: str) -> str:
    """A line without Markdown markup and surrounding blanks."""
    return re.sub(r"\s+", " ", _MARKUP_RE.sub("", line)).strip(" :\t")


def _headings(lines: list[str]) -> dict[int, str]:
    """Line index -> lower-cased section name, for lines that are section headings."""
    out: dict[int, str] = {}
    for i, line in enumerate(lines):
        text = _clean(line).replace("&", "and").lower()
        if text and len(text) <= 40 and _HEADING_RE.match(text):
            out[i] = text
    return out


def _experience_lines(lines: list[str], headings: dict[int, str]) -> list[int]:
    """Indices of the lines of the experience section(s); every line when there is none."""
    idx: list[int] = []
    inside = False
    for i in range(len(lines)):
        if i in headings:
            inside = bool(_EXPERIENCE_RE.match(headings[i]))
            continue
        if inside:
            idx.append(i)
    return idx if idx else list(range(len(lines)))


def _title_candidates(line: str) -> list[str]:
    """Possible titles in one experience line, best first ("Data Engineer — Shopify" gives
    "Data Engineer" first)."""
    if _BULLET_RE.match(line) or _UNDERLINE_RE.match(line):
        return []
    text = _clean(line)
    if not text or len(text) > 120 or text.endswith("."):
        return []
    out: list[str] = []
    for seg in _TITLE_SPLIT_RE.split(text):
        seg = seg.strip(" ,;:|-–—)]")
        if not seg:
            continue
        head = seg.split(",", 1)[0].strip()
        for cand in (head, seg):
            words = cand.split()
            if 1 <= len(words) <= 8 and _ROLE_RE.search(cand) and cand not in out:
                out.append(cand)
    return out


def _end_year(lines: list[str], i: int) -> int | None:
    """The end year of the job whose title is on line ``i`` (that line or the next two
    non-empty ones); 9999 for "present"."""
    seen = 0
    for line in lines[i : i + 6]:
        if not line.strip():
            continue
        if seen and (_BULLET_RE.match(line) or _HEADING_RE.match(_clean(line).lower())):
            break
        if _PRESENT_RE.search(line):
            return 9999
        years = [int(y) for y in _YEAR_RE.findall(line)]
        if years:
            return max(years)
        seen += 1
        if seen >= 3:
            break
    return None


def _titles(
    lines: list[str], rows: list[int], titles_tax: TitleTaxonomy, seniority_tax: SeniorityTaxonomy
) -> tuple[tuple[ResumeTitle, ...], set[int]]:
    """Titles (newest first) and the indices of the lines they came from."""
    cands: list[tuple[int, int, str]] = []  # (line, rank within line, text)
    for i in rows:
        cands += [(i, k, c) for k, c in enumerate(_title_candidates(lines[i]))]
    if not cands:
        return (), set()
    classified = classify_titles(
        pl.Series("title", [c for _, _, c in cands], dtype=pl.String), titles_tax, seniority_tax
    ).with_columns(
        line=pl.Series([i for i, _, _ in cands], dtype=pl.Int64),
        rank=pl.Series([k for _, k, _ in cands], dtype=pl.Int64),
        raw=pl.Series([c for _, _, c in cands], dtype=pl.String),
    )
    best = (
        classified.filter(
            (pl.col("title_family") != OTHER_FAMILY) & pl.col("title_std").is_not_null()
        )
        .sort(["line", "rank"])
        .unique("line", keep="first", maintain_order=True)
    )
    titles = [
        ResumeTitle(
            raw=r["raw"],
            title_std=r["title_std"],
            family=r["title_family"],
            seniority=r["seniority"],
            end_year=_end_year(lines, r["line"]),
        )
        for r in best.iter_rows(named=True)
    ]
    # Résumés are usually newest first; reorder by end year only when every job is dated.
    if titles and all(t.end_year is not None for t in titles):
        titles.sort(key=lambda t: -(t.end_year or 0))
    return tuple(titles), set(best["line"].to_list())


def _skills(lines: list[str], taxonomy: SkillTaxonomy) -> tuple[SkillMention, ...]:
    """Skills by the number of lines mentioning them, ties in order of first mention."""
    if not lines:
        return ()
    found = extract_skills(pl.Series("text", lines, dtype=pl.String), taxonomy)
    counts = (
        pl.DataFrame({"skill": found})
        .with_row_index("line")
        .explode("skill")
        .drop_nulls("skill")
        .group_by("skill")
        .agg(mentions=pl.len(), first=pl.col("line").min())
        .sort(["mentions", "first", "skill"], descending=[True, False, False])
    )
    return tuple(
        SkillMention(name=s, mentions=int(n))
        for s, n in zip(counts["skill"], counts["mentions"], strict=True)
    )


def _years_experience(text: str, lines: list[str], rows: list[int]) -> int | None:
    """Years of experience the résumé claims ("8+ years of experience"), else the span of the
    years in the experience section."""
    claimed = [int(m.group(1)) for m in _YEARS_EXP_RE.finditer(text) if m.group(2) or m.group(3)]
    if claimed:
        return max(claimed)
    if len(rows) == len(lines):  # no experience section: dates could be anything
        return None
    years = [int(y) for i in rows for y in _YEAR_RE.findall(lines[i])]
    if not years:
        return None
    present = any(_PRESENT_RE.search(lines[i]) for i in rows)
    end = date.today().year if present else max(years)
    return max(end - min(years), 0)


def _level_from_years(years: int | None) -> str | None:
    if years is None:
        return None
    if years >= 5:
        return "senior"
    if years >= 2:
        return "mid"
    return "junior"


def _seniority(
    titles: tuple[ResumeTitle, ...], years: int | None, levels: SeniorityTaxonomy
) -> str | None:
    known = [t.seniority for t in titles[:2] if levels.rank(t.seniority) >= 0]
    if known:
        return max(known, key=levels.rank)
    return _level_from_years(years)


def _location(
    lines: list[str], headings: dict[int, str], taxonomy: LocationTaxonomy
) -> LocationPref | None:
    """City/region/country from the header (the lines above the first section heading)."""
    first_heading = min(headings, default=len(lines))
    header = [ln for ln in lines[: min(first_heading, _HEADER_LINES)] if ln.strip()]
    segments: list[str] = []
    for n, line in enumerate(header):
        parts = [p for p in _HEADER_SPLIT_RE.split(_clean(line)) if p.strip()]
        if n == 0:
            parts = parts[1:]  # the first line starts with the person's name
        segments += [p for p in parts if not _NOT_PLACE_RE.search(p) and len(p) <= 60]
    segments = [s for s in segments if sum(ch.isdigit() for ch in s) < 5]
    if not segments:
        return None
    parsed = (
        parse_locations(pl.DataFrame({"location_raw": segments}), taxonomy)
        .with_row_index("pos")
        .filter(pl.col("country").is_not_null())
        .sort([pl.col("city").is_null(), pl.col("region").is_null(), "pos"])
    )
    if parsed.is_empty():
        return None
    row = parsed.row(0, named=True)
    return LocationPref(city=row["city"], region=row["region"], country=row["country"])


def analyze_resume(
    text: str,
    *,
    skills_tax: SkillTaxonomy | None = None,
    titles_tax: TitleTaxonomy | None = None,
    seniority_tax: SeniorityTaxonomy | None = None,
    locations_tax: LocationTaxonomy | None = None,
) -> ResumeProfile:
    """Profile a résumé's text (see ``ResumeProfile``); taxonomies default to those in force.

    Skill mentions are counted per line, leaving out the job-title lines (their employer
    names are not skills).
    """
    skills_tax = skills_tax or load_skill_taxonomy()
    seniority_tax = seniority_tax or load_seniority()
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    headings = _headings(lines)
    rows = _experience_lines(lines, headings)
    titles, title_lines = _titles(lines, rows, titles_tax or load_title_taxonomy(), seniority_tax)
    years = _years_experience(text, lines, rows)
    email = _EMAIL_RE.search(text)
    return ResumeProfile(
        skills=_skills([ln for i, ln in enumerate(lines) if i not in title_lines], skills_tax),
        recent_titles=titles,
        seniority=_seniority(titles, years, seniority_tax),
        years_experience=years,
        location=_location(lines, headings, locations_tax or load_locations()),
        remote=bool(_REMOTE_RE.search(text)),
        email=email.group(0) if email else None,
    )


# --------------------------------------------------------------------------------------------
# Drafting
# --------------------------------------------------------------------------------------------


def _slug(*parts: str | None) -> str:
    text = " ".join(p for p in parts if p)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "resume-draft"


def _reporting_currency() -> str:
    """The reporting currency of the campaigns in force, else USD."""
    try:
        path = default_campaigns_path()
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12BoolLoader)  # noqa: S506
        code = str((data or {}).get("reporting_currency") or "").upper()
    except (OSError, yaml.YAMLError, AttributeError):
        code = ""
    return code or "USD"


def _remote_types(profile: ResumeProfile) -> tuple[str, ...]:
    if profile.remote:
        return ("remote", "hybrid", "onsite") if profile.location else ("remote",)
    return ("onsite", "hybrid") if profile.location else ()


def profile_campaign(profile: ResumeProfile, campaign_id: str | None = None) -> Campaign:
    """The campaign a profile suggests (inactive, no salary, ``min_score`` 60)."""
    titles: list[ResumeTitle] = []
    for t in profile.recent_titles:
        if t.title_std.lower() not in {x.title_std.lower() for x in titles}:
            titles.append(t)
        if len(titles) == 2:
            break
    top = titles[0].title_std if titles else None
    city = profile.location.city if profile.location else None
    place = profile.location.label() if profile.location else None
    where = " or ".join(p for p in (place, "remote" if profile.remote else None) if p)
    skills = tuple(
        CampaignSkill(name=s.name, weight=2.0 if i < TOP_WEIGHTED else 1.0)
        for i, s in enumerate(profile.skills[:MAX_SKILLS])
    )
    return Campaign(
        id=campaign_id or _slug(top or "resume", city),
        name=f"{top or 'Résumé search'}{' — ' + where if where else ''} (draft)",
        owner=profile.email,
        active=False,
        titles=tuple(t.title_std.lower() for t in titles),
        title_families=tuple(dict.fromkeys(t.family for t in titles)),
        skills=skills,
        locations=(profile.location,) if profile.location else (),
        countries=(profile.location.country,)
        if profile.location and profile.location.country
        else (),
        remote=_remote_types(profile),
        seniority=SENIORITY_SPREAD.get(profile.seniority or "", ()),
        min_score=float(DRAFT_MIN_SCORE),
        notify=NotifyPref(email=(profile.email,) if profile.email else ()),
    )


def _indent_item(doc: str) -> list[str]:
    """A campaign mapping as a ``campaigns:`` list item, indented like campaigns.yml."""
    lines = doc.rstrip("\n").split("\n")
    return ["  - " + lines[0], *("    " + ln if ln else ln for ln in lines[1:])]


def draft_campaign(
    path: Path, campaign_id: str | None = None, *, reporting_currency: str | None = None
) -> str:
    """A campaigns.yml document holding one inactive campaign drafted from the résumé at
    ``path``; validated with ``parse_campaigns`` before it is returned.

    ``reporting_currency`` defaults to the one of the campaigns in force (else USD). Raises
    ``ValueError`` when the file cannot be read (see ``read_resume_text``) or shows neither job
    titles nor skills.
    """
    path = Path(path)
    skills_tax = load_skill_taxonomy()
    profile = analyze_resume(read_resume_text(path), skills_tax=skills_tax)
    if not profile.recent_titles and not profile.skills:
        raise ValueError(
            f"found no job titles or skills in {path.name}: nothing to draft a campaign from"
        )
    campaign = profile_campaign(profile, campaign_id)
    currency = (reporting_currency or _reporting_currency()).upper()
    if not profile.recent_titles:
        campaign = replace(campaign, name=f"{path.stem} (draft)")
    found = [
        f"{len(profile.skills)} skills",
        f"{len(profile.recent_titles)} titles",
        f"seniority {profile.seniority or 'unknown'}",
        f"location {profile.location.label() if profile.location else 'none'}",
    ]
    header = [
        f"# Drafted from {path.name} on {date.today().isoformat()}: " + ", ".join(found) + ".",
        "# Review before use, then set `active: true`:",
        "#   - titles / title_families: the job titles you want next (JSearch query text);",
        "#   - skills: keep what you want to use, set must_have: true on deal-breakers;",
        "#   - locations / countries / remote: where you can work;",
        "#   - seniority: the levels to rank; salary: add your floor and target (hint below);",
        "#   - id must be unique across your campaigns.",
        f"reporting_currency: {currency}",
        "",
        "campaigns:",
    ]
    item = _indent_item(dump_campaign_yaml(campaign))
    hint = (
        f"    # salary: {{floor: 100000, target: 130000, currency: {currency}}}"
        "  # yearly; set your own"
    )
    at = next((i for i, ln in enumerate(item) if ln.startswith("    min_score:")), len(item))
    item.insert(at, hint)
    text = "\n".join([*header, *item]) + "\n"
    skill_names = set(skills_tax.names)
    data = yaml.load(text, Loader=_Yaml12BoolLoader)  # noqa: S506
    parse_campaigns(data, skill_names, source=path.name)  # raises CampaignError if off
    return text
