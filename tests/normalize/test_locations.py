"""Location parsing: every documented form, hint precedence, ambiguity rules, taxonomy loading."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest

from job_assets.normalize.locations import LocationTaxonomy, load_locations, parse_locations
from job_assets.settings import REPO_ROOT
from job_assets.taxonomy import TaxonomyError

TAXONOMY_FILE = REPO_ROOT / "taxonomy_config" / "locations.yml"


@pytest.fixture(scope="module")
def tax() -> LocationTaxonomy:
    return load_locations(TAXONOMY_FILE)


def _parse(tax: LocationTaxonomy, raw: str | None, **hints: str | None) -> dict:
    df = pl.DataFrame(
        {"location_raw": [raw], **{k: [v] for k, v in hints.items()}},
        schema={"location_raw": pl.String, **{k: pl.String for k in hints}},
    )
    out = parse_locations(df, tax)
    return out.select("city", "region", "country", "remote_type").row(0, named=True)


# raw text -> (city, region, country, remote_type)
FORMS = [
    ("New York, NY", ("New York", "NY", "US", "unknown")),
    ("Toronto, ON, Canada", ("Toronto", "ON", "CA", "unknown")),
    ("Austin, TX, United States", ("Austin", "TX", "US", "unknown")),
    ("San Francisco, CA", ("San Francisco", "CA", "US", "unknown")),
    ("NYC", ("New York", "NY", "US", "unknown")),
    ("New York City", ("New York", "NY", "US", "unknown")),
    ("San Fransisco", ("San Francisco", "CA", "US", "unknown")),
    ("SF", ("San Francisco", "CA", "US", "unknown")),
    ("Montréal, QC", ("Montreal", "QC", "CA", "unknown")),
    ("Montreal", ("Montreal", "QC", "CA", "unknown")),
    ("Remote - Canada", (None, None, "CA", "remote")),
    ("Remote (US)", (None, None, "US", "remote")),
    ("Remote-US", (None, None, "US", "remote")),
    ("Anywhere", (None, None, None, "remote")),
    ("Worldwide", (None, None, None, "remote")),
    ("Work from home", (None, None, None, "remote")),
    ("WFH", (None, None, None, "remote")),
    ("London, England, United Kingdom", ("London", "ENG", "GB", "unknown")),
    ("London, UK", ("London", "ENG", "GB", "unknown")),
    ("Paris, France", ("Paris", None, "FR", "unknown")),
    ("New York, NY (HQ)", ("New York", "NY", "US", "unknown")),
    ("Canada", (None, None, "CA", "unknown")),
    ("United States", (None, None, "US", "unknown")),
    ("U.S.", (None, None, "US", "unknown")),
    ("Deutschland", (None, None, "DE", "unknown")),
    ("Great Britain", (None, None, "GB", "unknown")),
    ("In-Office", (None, None, None, "onsite")),
    ("On-site", (None, None, None, "onsite")),
    ("Hybrid", (None, None, None, "hybrid")),
    ("Hybrid - Vancouver, BC", ("Vancouver", "BC", "CA", "hybrid")),
    ("Remote or Hybrid", (None, None, None, "hybrid")),
    # ambiguity rules
    ("Toronto, ON, CA", ("Toronto", "ON", "CA", "unknown")),  # trailing CA after a CA region
    ("Berlin, DE", ("Berlin", None, "DE", "unknown")),  # DE after a German city -> Germany
    ("Wilmington, DE", ("Wilmington", "DE", "US", "unknown")),  # else Delaware
    ("Mountain View, CA", ("Mountain View", "CA", "US", "unknown")),
    ("Perth, WA", ("Perth", "WA", "AU", "unknown")),  # shared region key, city decides
    ("Vancouver, WA", ("Vancouver", "WA", "US", "unknown")),  # explicit region beats city
    ("London, ON", ("London", "ON", "CA", "unknown")),
    ("Atlanta, Georgia", ("Atlanta", "GA", "US", "unknown")),
    ("Albany, New York", ("Albany", "NY", "US", "unknown")),  # 2nd part is the state
    ("Seattle, Washington", ("Seattle", "WA", "US", "unknown")),
    ("Washington, DC", ("Washington", "DC", "US", "unknown")),
    ("Canada - Toronto", ("Toronto", "ON", "CA", "unknown")),
    ("Ontario, Canada", (None, "ON", "CA", "unknown")),
    # unknown cities keep their text; trailing codes without commas
    ("Winston-Salem, NC", ("Winston-Salem", "NC", "US", "unknown")),
    ("springfield, IL", ("Springfield", "IL", "US", "unknown")),
    ("Austin TX", ("Austin", "TX", "US", "unknown")),
    ("Sydney NSW", ("Sydney", "NSW", "AU", "unknown")),
    ("New York NY 10001", ("New York", "NY", "US", "unknown")),
    ("Greater Toronto Area", ("Toronto", "ON", "CA", "unknown")),
    ("Bengaluru, Karnataka, India", ("Bangalore", "KA", "IN", "unknown")),
    ("München, Germany", ("Munich", None, "DE", "unknown")),
    ("Anywhere in the US", (None, None, "US", "remote")),
    ("US-based, Remote", (None, None, "US", "remote")),
    # multi-location strings keep the first location
    ("New York, NY; London, UK", ("New York", "NY", "US", "unknown")),
    ("Austin, TX or Denver, CO", ("Austin", "TX", "US", "unknown")),
    # nothing usable
    ("EMEA", (None, None, None, "unknown")),
    ("Remote, EMEA", (None, None, None, "remote")),
    ("Springfield", (None, None, None, "unknown")),  # a lone unknown word is not trusted
    ("", (None, None, None, "unknown")),
    (None, (None, None, None, "unknown")),
]


@pytest.mark.parametrize(("raw", "expected"), FORMS, ids=[repr(f[0]) for f in FORMS])
def test_parse_location_forms(tax: LocationTaxonomy, raw: str | None, expected: tuple) -> None:
    got = _parse(tax, raw)
    assert (got["city"], got["region"], got["country"], got["remote_type"]) == expected


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("remote", "remote"), ("HYBRID", "hybrid"), ("onsite", "onsite"), ("on-site", "onsite")],
)
def test_remote_hint_wins_over_text(tax: LocationTaxonomy, hint: str, expected: str) -> None:
    assert _parse(tax, "Remote or Hybrid - In-Office", remote_hint=hint)["remote_type"] == expected


def test_unrecognized_remote_hint_falls_back_to_text(tax: LocationTaxonomy) -> None:
    assert _parse(tax, "Remote (US)", remote_hint="something")["remote_type"] == "remote"


@pytest.mark.parametrize(
    ("country_hint", "expected"),
    [("CA", "CA"), ("CAN", "CA"), ("Canada", "CA"), ("usa", "US"), ("LK", "LK"), ("ZZZ", None)],
)
def test_country_hint_forms(tax: LocationTaxonomy, country_hint: str, expected: str) -> None:
    # alpha-2 (even ones missing from the taxonomy), alpha-3 and names are all accepted
    assert _parse(tax, None, country_hint=country_hint)["country"] == expected


def test_country_hint_beats_text_and_disambiguates_region(tax: LocationTaxonomy) -> None:
    # "WA" alone would be Washington (US); the structured country says Australia.
    got = _parse(tax, "Fremantle, WA", country_hint="AUS")
    assert (got["city"], got["region"], got["country"]) == ("Fremantle", "WA", "AU")


def test_city_and_region_hints(tax: LocationTaxonomy) -> None:
    got = _parse(tax, None, city_hint="NYC", region_hint=None, country_hint="US")
    assert (got["city"], got["region"], got["country"]) == ("New York", "NY", "US")
    got = _parse(tax, "Toronto", city_hint="montreal")
    assert (got["city"], got["region"], got["country"]) == ("Montreal", "QC", "CA")
    got = _parse(tax, "Remote", region_hint="Ontario")
    assert (got["region"], got["country"], got["remote_type"]) == ("ON", "CA", "remote")
    # a region code missing from the taxonomy is kept as given; the country hint still applies
    got = _parse(tax, "Somewhere, Canada", region_hint="by", country_hint="Germany")
    assert (got["city"], got["region"], got["country"]) == ("Somewhere", "BY", "DE")


def test_output_alignment_passthrough_and_duplicates(tax: LocationTaxonomy) -> None:
    raws = ["Paris, France", None, "NYC", "Paris, France", "Remote - Canada", "NYC"] * 50
    df = pl.DataFrame(
        {
            "posting_id": list(range(len(raws))),
            "location_raw": raws,
            "country_hint": [None] * len(raws),
            "city": ["stale"] * len(raws),  # pre-existing output columns are replaced
        },
        schema_overrides={"country_hint": pl.String},
    )
    out = parse_locations(df, tax)
    assert out.height == df.height
    assert out["posting_id"].to_list() == list(range(len(raws)))
    assert out["location_raw"].to_list() == raws
    assert out.columns == [
        "posting_id",
        "location_raw",
        "country_hint",
        "city_hint",
        "region_hint",
        "remote_hint",
        "city",
        "region",
        "country",
        "remote_type",
    ]
    assert out.columns.count("city") == 1
    expected_country = {"Paris, France": "FR", None: None, "NYC": "US", "Remote - Canada": "CA"}
    assert out["country"].to_list() == [expected_country[r] for r in raws]
    assert out["remote_type"].null_count() == 0
    assert set(out["remote_type"]) <= {"onsite", "hybrid", "remote", "unknown"}


def test_missing_location_column_is_an_error(tax: LocationTaxonomy) -> None:
    with pytest.raises(ValueError, match="location_raw"):
        parse_locations(pl.DataFrame({"x": ["NYC"]}), tax)


def test_version_is_sha256_prefix_of_file(tax: LocationTaxonomy) -> None:
    assert tax.version == hashlib.sha256(TAXONOMY_FILE.read_bytes()).hexdigest()[:12]


def test_default_path_follows_taxonomy_dir(tmp_path: Path, monkeypatch) -> None:
    shutil.copy(TAXONOMY_FILE, tmp_path / "locations.yml")
    with (tmp_path / "locations.yml").open("a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    loaded = load_locations()
    assert (
        loaded.version == hashlib.sha256((tmp_path / "locations.yml").read_bytes()).hexdigest()[:12]
    )
    assert loaded.version != load_locations(TAXONOMY_FILE).version


def test_edited_taxonomy_changes_parsing(tmp_path: Path) -> None:
    text = TAXONOMY_FILE.read_text(encoding="utf-8").replace(
        "  - {name: Dublin, country: IE, aliases: []}",
        "  - {name: Dublin, country: IE, aliases: [Baile Atha Cliath]}",
    )
    path = tmp_path / "locations.yml"
    path.write_text(text, encoding="utf-8")
    got = _parse(load_locations(path), "Baile Átha Cliath")
    assert (got["city"], got["country"]) == ("Dublin", "IE")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('{code: "NO", alpha3: NOR', "{code: NO, alpha3: NOR", "quote YAML booleans"),
        ("{code: FR, alpha3: FRA", "{code: FRA, alpha3: FRA", "not ISO alpha-2"),
        ("{name: Paris, country: FR,", "{name: Paris, country: XX,", "unknown country"),
        (
            "remote_precedence: [hybrid, remote, onsite]",
            "remote_precedence: [hybrid, mars]",
            "mars",
        ),
    ],
)
def test_malformed_taxonomy_raises(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = TAXONOMY_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "locations.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_locations(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="not found"):
        load_locations(tmp_path / "nope.yml")
