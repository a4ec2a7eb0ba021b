"""Campaign loading, validation messages, and the derived views (frame, YAML, JSearch queries)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from job_assets.ranking.campaigns import (
    CampaignError,
    active_campaigns,
    campaigns_frame,
    convert_salary,
    dump_campaign_yaml,
    jsearch_queries,
    load_campaigns,
    parse_campaigns,
)
from job_assets.settings import REPO_ROOT

SKILLS = {"Python", "SQL", "dbt", "Airflow", "Kubernetes", "Spark", "PyTorch", "React"}

BASE: dict[str, Any] = {
    "id": "data-eng-toronto",
    "name": "Data Engineer",
    "owner": "alex@example.com",
    "titles": ["data engineer"],
    "title_families": ["data_engineering"],
    "skills": [{"name": "Python", "weight": 2, "must_have": True}, "SQL", "dbt"],
    "exclude_keywords": ["security clearance"],
    "exclude_companies": ["Acme Staffing"],
    "locations": [{"city": "Toronto", "region": "ON", "country": "CA"}],
    "countries": ["CA"],
    "remote": ["remote", "hybrid"],
    "salary": {"floor": 110000, "target": 150000, "currency": "CAD"},
    "seniority": ["mid", "senior"],
    "employment_types": ["full_time", "contract"],
    "min_score": 60,
    "notify": {"email": ["alex@example.com"], "top_n": 10},
}


def doc(*campaigns: dict[str, Any], currency: str = "CAD") -> dict[str, Any]:
    return {"reporting_currency": currency, "campaigns": list(campaigns)}


def with_(**changes: Any) -> dict[str, Any]:
    c = copy.deepcopy(BASE)
    c.update(changes)
    return c


def problems_of(data: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(CampaignError) as exc:
        parse_campaigns(data, skill_names=kwargs.get("skill_names", SKILLS))
    return exc.value.problems


def test_repo_campaigns_file_is_valid_and_region_on_stays_a_string() -> None:
    cfg = load_campaigns(REPO_ROOT / "taxonomy_config" / "campaigns.yml")
    assert cfg.reporting_currency == "CAD"
    assert len(cfg.campaigns) >= 3
    active = active_campaigns(cfg)
    assert 0 < len(active) < len(cfg.campaigns)  # the file documents an inactive campaign
    toronto = cfg.get("data-eng-toronto")
    # YAML 1.1 would read `ON` as True; the loader keeps it as the province code.
    assert toronto.locations[0].region == "ON"
    assert toronto.skills[0].must_have and toronto.skills[0].weight == 2.0


def test_default_path_follows_taxonomy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "campaigns.yml").write_text(yaml.safe_dump(doc(BASE)), encoding="utf-8")
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    assert [c.id for c in load_campaigns().campaigns] == ["data-eng-toronto"]


def test_load_validates_skills_against_taxonomy_skills_yml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skills_yml = {"version": 1, "skills": [{"name": "Python"}, {"name": "SQL"}, {"name": "dbt"}]}
    (tmp_path / "skills.yml").write_text(yaml.safe_dump(skills_yml), encoding="utf-8")
    (tmp_path / "campaigns.yml").write_text(
        yaml.safe_dump(doc(with_(skills=["python", "Pyton", "sql"]))), encoding="utf-8"
    )
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    with pytest.raises(CampaignError) as exc:
        load_campaigns()
    assert exc.value.problems == [
        "unknown skill 'Pyton' in campaign data-eng-toronto; did you mean 'Python'?"
    ]
    cfg = load_campaigns(skill_names=set())  # an empty set skips the check
    assert [s.name for s in cfg.campaigns[0].skills] == ["python", "Pyton", "sql"]


def test_valid_campaign_parses_fully() -> None:
    cfg = parse_campaigns(doc(BASE), skill_names=SKILLS)
    c = cfg.campaigns[0]
    assert c.skills[1].name == "SQL" and c.skills[1].weight == 1.0 and not c.skills[1].must_have
    assert c.salary is not None and (c.salary.floor, c.salary.target) == (110000, 150000)
    assert c.remote == ("remote", "hybrid")
    assert c.notify.email == ("alex@example.com",) and c.notify.top_n == 10
    assert c.effective_countries == ("CA",)


def test_skill_names_are_canonicalized_case_insensitively() -> None:
    cfg = parse_campaigns(doc(with_(skills=["python", "DBT"])), skill_names=SKILLS)
    assert [s.name for s in cfg.campaigns[0].skills] == ["Python", "dbt"]


def test_skill_check_skipped_without_taxonomy() -> None:
    cfg = parse_campaigns(doc(with_(skills=["Anything Goes"])), skill_names=None)
    assert cfg.campaigns[0].skills[0].name == "Anything Goes"


@pytest.mark.parametrize(
    ("campaign", "expected"),
    [
        (
            with_(skills=["Pyton"]),
            "unknown skill 'Pyton' in campaign data-eng-toronto; did you mean 'Python'?",
        ),
        (
            with_(salary={"floor": 100, "target": 50, "currency": "CAD"}),
            "salary floor 100 is above target 50 in campaign data-eng-toronto",
        ),
        (
            with_(salary={"floor": 1, "target": 2, "currency": "CDA"}),
            "unknown salary currency 'CDA' in campaign data-eng-toronto; did you mean 'CAD'?",
        ),
        (with_(remote=["remot"]), "unknown remote value 'remot' in campaign data-eng-toronto"),
        (
            with_(seniority=["senoir"]),
            "unknown seniority value 'senoir' in campaign data-eng-toronto; did you mean 'senior'?",
        ),
        (
            with_(employment_types=["fulltime"]),
            "unknown employment_types value 'fulltime' in campaign data-eng-toronto",
        ),
        (
            with_(skils=["Python"]),
            "unknown key 'skils' in campaign data-eng-toronto; did you mean 'skills'?",
        ),
        (with_(countries=["CAN"]), "country 'CAN' is not an alpha-2 code in campaign"),
        (with_(min_score=120), "min_score 120 outside 0-100 in campaign data-eng-toronto"),
        (with_(notify={"email": ["nobody"], "top_n": 5}), "invalid email 'nobody' in campaign"),
        (with_(notify={"email": [], "top_n": 0}), "notify.top_n must be a positive integer"),
        (with_(skills=[{"name": "SQL", "weight": -1}]), "weight of skill 'SQL' must be > 0"),
        (with_(skills=["SQL", "sql"]), "duplicate skill 'SQL' in campaign data-eng-toronto"),
        (with_(locations=[{"city": "Toronto", "region": True}]), "location region parsed as a"),
        (with_(id="Data Eng"), "invalid id 'Data Eng' in campaign Data Eng"),
        (
            with_(titles=[], title_families=[], skills=[]),
            "campaign data-eng-toronto has no titles, title_families or skills",
        ),
    ],
)
def test_each_validation_problem_is_reported(campaign: dict[str, Any], expected: str) -> None:
    problems = problems_of(doc(campaign))
    assert any(expected in p for p in problems), problems


def test_duplicate_ids_and_bad_reporting_currency() -> None:
    problems = problems_of(doc(BASE, BASE, currency="XXX"))
    assert "unknown reporting_currency 'XXX' in campaigns.yml" in problems
    assert "duplicate campaign id 'data-eng-toronto' in campaign data-eng-toronto" in problems


def test_all_problems_collected_in_one_error_one_line_each() -> None:
    bad = with_(skills=["Pyton"], remote=["anywhere"], salary={"floor": 9, "target": 1})
    other = with_(id="second", seniority=["guru"])
    with pytest.raises(CampaignError) as exc:
        parse_campaigns(doc(bad, other), skill_names=SKILLS)
    problems = exc.value.problems
    assert len(problems) == 4
    lines = str(exc.value).splitlines()
    assert lines[0] == "campaigns.yml: 4 problems"
    assert lines[1:] == problems
    assert sum("campaign data-eng-toronto" in p for p in problems) == 3
    assert sum("campaign second" in p for p in problems) == 1


def test_missing_file_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(CampaignError, match="file not found"):
        load_campaigns(tmp_path / "nope.yml")
    bad = tmp_path / "campaigns.yml"
    bad.write_text("campaigns: [\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="invalid YAML"):
        load_campaigns(bad)


def test_campaigns_frame_has_one_row_per_campaign_with_list_columns() -> None:
    cfg = parse_campaigns(doc(BASE, with_(id="other", active=False, salary=None)), SKILLS)
    df = campaigns_frame(cfg)
    assert df["campaign_id"].to_list() == ["data-eng-toronto", "other"]
    assert df.schema["skills"] == pl.List(
        pl.Struct({"name": pl.String, "weight": pl.Float64, "must_have": pl.Boolean})
    )
    assert df.schema["countries"] == pl.List(pl.String)
    assert df["skills"][0].to_list()[0] == {"name": "Python", "weight": 2.0, "must_have": True}
    assert df["salary_floor"].to_list() == [110000, None]
    assert campaigns_frame(cfg, only_active=True).height == 1


def test_salary_in_other_currency_is_converted_or_rejected() -> None:
    cfg = parse_campaigns(
        doc(with_(salary={"floor": 100000, "target": 120000, "currency": "USD"})), SKILLS
    )
    assert convert_salary(cfg.campaigns[0], "CAD", {"USD": 1.5}) == (150000, 180000)
    with pytest.raises(CampaignError, match="no exchange rate USD->CAD"):
        convert_salary(cfg.campaigns[0], "CAD", {})


def test_dump_campaign_yaml_round_trips() -> None:
    original = parse_campaigns(doc(BASE), SKILLS).campaigns[0]
    text = dump_campaign_yaml(original)
    assert "region: 'ON'" in text  # quoted, so a YAML 1.1 reader keeps it a string
    again = parse_campaigns(doc(yaml.safe_load(text)), SKILLS).campaigns[0]
    assert again == original


def test_jsearch_queries_cover_locations_remote_and_dedupe() -> None:
    second = with_(id="second", employment_types=["full_time"])
    paused = with_(id="paused", active=False, titles=["paused title"])
    cfg = parse_campaigns(doc(BASE, second, paused), SKILLS)
    queries = jsearch_queries(cfg)
    texts = [q["query"] for q in queries]
    assert "paused title" not in " ".join(texts)
    onsite = [q for q in queries if q["query"] == "data engineer in Toronto, ON"]
    # different employment filters keep two requests; identical ones would merge
    assert {q["employment_types"] for q in onsite} == {"CONTRACTOR,FULLTIME", "FULLTIME"}
    assert all(q["country"] == "ca" and q["work_from_home"] is False for q in onsite)
    remote = [q for q in queries if q["work_from_home"]]
    assert {q["query"] for q in remote} == {"data engineer"}
    merged = parse_campaigns(doc(BASE, with_(id="twin")), SKILLS)
    twin_queries = jsearch_queries(merged)
    assert all(q["campaign_ids"] == ["data-eng-toronto", "twin"] for q in twin_queries)
    assert len(twin_queries) == len(jsearch_queries(parse_campaigns(doc(BASE), SKILLS)))
