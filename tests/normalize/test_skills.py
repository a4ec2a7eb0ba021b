"""Tests for the skills taxonomy and the vectorized skill matcher."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest

from job_assets.normalize.skills import (
    SKILL_CATEGORIES,
    SkillTaxonomy,
    extract_skills,
    load_skill_taxonomy,
    skill_categories,
)
from job_assets.settings import REPO_ROOT

SKILLS_YML = REPO_ROOT / "taxonomy_config" / "skills.yml"


@pytest.fixture(scope="module")
def taxonomy() -> SkillTaxonomy:
    return load_skill_taxonomy(SKILLS_YML)


def _one(text: str | None, taxonomy: SkillTaxonomy) -> list[str]:
    out = extract_skills(pl.Series("t", [text], dtype=pl.String), taxonomy)
    return out.to_list()[0]


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Strong C++ and C# required", {"C++", "C#"}, {"C"}),
        ("experience with .NET and C#", {".NET", "C#"}, {"C"}),
        ("visit example.net for details", set(), {".NET"}),
        ("ASP.NET Core services", {"ASP.NET"}, {".NET"}),
        ("Node.js backend services", {"Node.js"}, {"JavaScript"}),
        ("we use Go and Python", {"Go", "Python"}, set()),
        ("going forward we grow", set(), {"Go"}),
        ("own our go-to-market motion", set(), {"Go"}),
        ("Go-to-market launch", set(), {"Go"}),
        ("statistics in R and Python", {"R", "Python"}, set()),
        ("join our R&D team", set(), {"R"}),
        ("JavaScript developer", {"JavaScript"}, {"Java"}),
        ("Java and JavaScript", {"Java", "JavaScript"}, set()),
        ("Apache Spark pipelines", {"Apache Spark"}, set()),
        ("tune Spark jobs", {"Apache Spark"}, set()),
        ("sparkling water in the office", set(), {"Apache Spark"}),
        ("a spark of creativity", set(), {"Apache Spark"}),
        ("PySpark and Spark SQL", {"PySpark", "Apache Spark"}, set()),
        ("React.js and ReactJS", {"React"}, set()),
        ("React Native apps", {"React Native"}, {"React"}),
        ("Postgres or MySQL", {"PostgreSQL", "MySQL"}, set()),
        ("deploy on k8s", {"Kubernetes"}, set()),
        ("we closed our Series C funding", set(), {"C"}),
        ("partner with C-level executives", set(), {"C"}),
        ("write firmware in C.", {"C"}, set()),
        ("C/C++ embedded work", {"C", "C++"}, set()),
        ("Objective-C and Swift", {"Objective-C", "Swift"}, {"C"}),
        ("a swift response", set(), {"Swift"}),
        ("Golang microservices", {"Go", "Microservices"}, set()),
        ("Excel in a fast-paced team", set(), {"Excel"}),
        ("advanced Excel and SQL", {"Excel", "SQL"}, set()),
        ("scikit-learn (sklearn) models", {"scikit-learn"}, set()),
        ("AWS, GCP or Azure", {"AWS", "GCP", "Azure"}, set()),
        ("azure skies", set(), {"Azure"}),
        ("PL/SQL and T-SQL", {"PL/SQL", "T-SQL"}, {"SQL"}),
        ("Python3 scripting", {"Python"}, set()),
        ("Pythonista culture", set(), {"Python"}),
        ("use dbt and Airflow", {"dbt", "Apache Airflow"}, set()),
        ("the airflow in the room", set(), {"Apache Airflow"}),
        ("•Python•Go—Rust«Java»", {"Python", "Go", "Rust", "Java"}, set()),
        ("éJava Javaé", set(), {"Java"}),
        ("Keep it at 25°C", set(), {"C"}),
        ("使用Python", {"Python"}, set()),
        ("CI/CD with GitHub Actions", {"CI/CD", "GitHub Actions"}, set()),
    ],
)
def test_hard_cases(text: str, present: set[str], absent: set[str], taxonomy: SkillTaxonomy):
    found = set(_one(text, taxonomy))
    assert present <= found, f"missing {present - found} in {found}"
    assert not (absent & found), f"unexpected {absent & found} in {found}"


@pytest.mark.parametrize("text", [None, "", "   ", "no skills mentioned here at all"])
def test_null_empty_and_skill_free_texts_give_empty_list(text, taxonomy: SkillTaxonomy):
    assert _one(text, taxonomy) == []


def test_output_shape_order_sorting_and_uniqueness(taxonomy: SkillTaxonomy):
    texts = pl.Series(
        "description",
        ["Python, python and PYTHON plus SQL", None, "Kubernetes then Docker", "", "SQL"],
    )
    out = extract_skills(texts, taxonomy, batch_size=2)
    assert out.dtype == pl.List(pl.String)
    assert out.to_list() == [["Python", "SQL"], [], ["Docker", "Kubernetes"], [], ["SQL"]]


def test_batches_do_not_change_results(taxonomy: SkillTaxonomy):
    texts = _synthetic(300, seed=3)
    whole = extract_skills(texts, taxonomy, batch_size=50_000)
    batched = extract_skills(texts, taxonomy, batch_size=7)
    assert whole.to_list() == batched.to_list()
    assert whole.list.len().min() > 0


def test_a_frame_of_parts_matches_like_the_parts_joined_by_line_breaks(taxonomy: SkillTaxonomy):
    # a title and a description, as the normalizer hands them over (a null part is empty)
    parts = pl.DataFrame(
        {
            "title": ["Data Engineer (Spark)", None, "Go developer", "SQL", None, "Kafka,"],
            "description": ["Python, SQL", "Kubernetes", None, "Tableau.", None, "Apache Spark"],
        }
    )
    exclude = pl.Series([None, None, None, "Tableau", None, None])
    joined = parts.select(
        pl.concat_str(pl.all().fill_null(""), separator="\n").alias("text")
    ).to_series()
    out = extract_skills(parts, taxonomy, batch_size=4, exclude=exclude)
    assert out.to_list() == extract_skills(joined, taxonomy, exclude=exclude).to_list()
    assert out.to_list() == [
        ["Apache Spark", "Python", "SQL"],
        ["Kubernetes"],
        ["Go"],
        ["SQL"],
        [],
        ["Apache Kafka", "Apache Spark"],
    ]


def test_empty_series_and_bad_batch_size(taxonomy: SkillTaxonomy):
    out = extract_skills(pl.Series([], dtype=pl.String), taxonomy)
    assert out.dtype == pl.List(pl.String) and out.len() == 0
    with pytest.raises(ValueError):
        extract_skills(pl.Series(["x"]), taxonomy, batch_size=0)


def test_exclude_drops_only_that_rows_exact_skill_name(taxonomy: SkillTaxonomy):
    texts = pl.Series(
        ["Zephyr and Python", "Zephyr and Python", "Zephyr and Python", "Python", None, "Go"]
    )
    # the employer's own name, a non-skill company, a null, a name that is only an alias
    exclude = pl.Series(["Zephyr", "Acme", None, "Python", "Zephyr", "golang"])
    out = extract_skills(texts, taxonomy, batch_size=4, exclude=exclude)
    assert out.to_list() == [
        ["Python"],
        ["Python", "Zephyr"],
        ["Python", "Zephyr"],
        [],
        [],
        ["Go"],
    ]
    with pytest.raises(ValueError, match="exclude has 1 rows"):
        extract_skills(texts, taxonomy, exclude=pl.Series(["x"]))


def test_repeated_and_overlapping_hits_are_each_checked(taxonomy: SkillTaxonomy):
    # the bad occurrence (inside "Javascripts") must not hide the good one, and vice versa
    assert _one("Javascripts; later Java", taxonomy) == ["Java"]
    assert _one("Java, then Javax", taxonomy) == ["Java"]
    assert _one("R&D and R", taxonomy) == ["R"]


def test_taxonomy_size_categories_and_version(taxonomy: SkillTaxonomy):
    assert len(taxonomy.names) >= 420
    assert set(taxonomy.categories.values()) == set(SKILL_CATEGORIES)
    assert len(taxonomy.version) == 12
    assert all(c == c.lower() for c in taxonomy.version)
    assert taxonomy.aliases["k8s"] == "Kubernetes"
    assert taxonomy.aliases["golang"] == "Go"
    assert "Go" in taxonomy.case_sensitive and "go" not in taxonomy.aliases
    assert len(taxonomy.case_sensitive) >= 60


def test_no_alias_under_two_skills_in_shipped_file():
    import yaml

    data = yaml.safe_load(SKILLS_YML.read_text())
    owner: dict[str, str] = {}
    for skill in data["skills"]:
        forms = [skill["name"]] + [
            a["alias"] if isinstance(a, dict) else a for a in skill.get("aliases") or []
        ]
        for form in forms:
            prev = owner.setdefault(form.lower(), skill["name"])
            assert prev == skill["name"], f"{form!r} under {prev!r} and {skill['name']!r}"


def test_duplicate_alias_across_skills_names_both(tmp_path: Path):
    path = tmp_path / "skills.yml"
    path.write_text(
        "version: 1\nskills:\n"
        "  - {name: Go, category: languages, aliases: [golang]}\n"
        "  - {name: Golang Tools, category: tools, aliases: [GoLang]}\n"
    )
    with pytest.raises(ValueError, match="Go.*Golang Tools"):
        load_skill_taxonomy(path)


@pytest.mark.parametrize(
    "body",
    [
        "skills:\n  - {name: X, category: nonsense}\n",
        "skills:\n  - {name: X, category: tools}\n  - {name: X, category: data}\n",
        "skills:\n  - {name: X, category: tools}\nstop_phrases: [x]\n",
        "skills: 3\n",
    ],
)
def test_malformed_taxonomies_raise(tmp_path: Path, body: str):
    path = tmp_path / "skills.yml"
    path.write_text(body)
    with pytest.raises(ValueError):
        load_skill_taxonomy(path)


def test_default_path_and_version_tracks_file_bytes(tmp_path: Path, monkeypatch):
    path = tmp_path / "skills.yml"
    path.write_text("skills:\n  - {name: Rust, category: languages, case_sensitive: true}\n")
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    first = load_skill_taxonomy()
    assert first.names == ("Rust",)
    assert _one("Rust and rust", first) == ["Rust"]
    assert _one("a rusty bike", first) == []
    path.write_text(path.read_text() + "# comment\n")
    assert load_skill_taxonomy().version != first.version


def test_per_alias_case_override(tmp_path: Path):
    path = tmp_path / "skills.yml"
    path.write_text(
        "skills:\n"
        "  - {name: Node.js, category: frameworks,"
        " aliases: [nodejs, {alias: Node, case_sensitive: true}]}\n"
    )
    tax = load_skill_taxonomy(path)
    assert _one("Node and NODEJS", tax) == ["Node.js"]
    assert _one("each node in the cluster", tax) == []


def test_skill_categories_frame(taxonomy: SkillTaxonomy):
    df = skill_categories(taxonomy)
    assert df.columns == ["skill", "category"]
    assert df.height == len(taxonomy.names) and df["skill"].n_unique() == df.height
    row = df.filter(pl.col("skill") == "PostgreSQL")
    assert row["category"].to_list() == ["databases"]


def _synthetic(n: int, seed: int = 7, size: int = 3000) -> pl.Series:
    """n synthetic ~size-byte postings: filler, traps and skill lists (256 templates reused)."""
    filler = [
        "We are looking for a motivated engineer to join our growing team.",
        "You will collaborate with product managers, designers and engineers.",
        "Going forward you will own critical services and mentor others.",
        "Our R&D team closed a Series C round and partners with C-level leaders.",
        "Visit example.net to learn about our go-to-market plans and benefits.",
        "We offer health, dental and vision insurance and a generous 401(k).",
    ]
    skills = ["Python", "Go", "R", "C++", "C#", ".NET", "SQL", "Postgres", "Spark", "k8s",
              "React.js", "Node.js", "AWS", "Azure", "dbt", "Airflow", "Excel", "Java"]  # fmt: skip
    rng = random.Random(seed)
    templates = []
    for _ in range(256):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < size:
            if rng.random() < 0.35:
                a, b, c = rng.sample(skills, 3)
                parts.append(f"Experience with {a}, {b} and {c} is a plus.")
            else:
                parts.append(rng.choice(filler))
        templates.append(" ".join(parts))
    return pl.Series("description", [f"{templates[i % 256]} Job {i}." for i in range(n)])


def test_throughput_smoke_20k_postings(taxonomy: SkillTaxonomy):
    texts = _synthetic(20_000)
    assert texts.str.len_bytes().mean() > 2_900
    out = extract_skills(texts, taxonomy, batch_size=8_000)
    assert out.len() == texts.len()
    lens = out.list.len()
    assert lens.min() > 0
    flat = set(out.explode().drop_nulls().unique().to_list())
    assert {"Python", "Go", "R", "C++", "C#", ".NET", "PostgreSQL", "Kubernetes"} <= flat
    assert "C" not in flat and "JavaScript" not in flat


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a stop phrase covers only what lies inside it: a skill overlapping its tail survives
        ("Series C++ teams", ["C++"]),
        ("Plan Customer Success", ["Customer success"]),
        # an underscore is a boundary, unlike regex \b
        ("python_scripts and snake_case", ["Python"]),
        # a stop phrase followed by more letters still covers the C inside it
        ("C-levels", []),
        # The token matcher treats every character outside letters, digits, "+", "#", "." and
        # "°" as a boundary, so an em dash now separates two skills (the earlier matcher needed
        # one of a fixed list of ASCII delimiters after a one-letter exact alias and gave ["Go"]).
        ("C—Go", ["C", "Go"]),
        # clause punctuation keeps a multi-word alias ("Spark SQL") from spanning two list items
        ("Spark, SQL", ["Apache Spark", "SQL"]),
        ("Spark SQL", ["Apache Spark"]),
        # adjacent skills separated by a single space both match
        ("Python SQL Tableau", ["Python", "SQL", "Tableau"]),
        # a stop phrase must start on a token boundary ("B, C" is not inside "MongoDB, C")
        ("MongoDB, C and Rust", ["C", "MongoDB", "Rust"]),
        # a short last token ("go-to") must be whole; a numeric one ("Spring 20") is a prefix
        ("Go tools and go-to-market", ["Go"]),
        ("Spring 2024 internship", []),
        ("React Native, React", ["React", "React Native"]),
    ],
)
def test_overlap_and_boundary_semantics(text: str, expected: list[str], taxonomy: SkillTaxonomy):
    # pins the exact results a faster (e.g. non-overlapping regex) matcher would get wrong
    assert _one(text, taxonomy) == expected
