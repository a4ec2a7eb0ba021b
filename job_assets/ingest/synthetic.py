"""Deterministic synthetic API responses for demo mode and the benchmark.

Pure module (no Dagster, no network). ``generate_payloads`` returns bodies shaped like the real
JSearch, Greenhouse, Lever and Ashby responses under ``fixtures/real`` (quirks included);
``generate_company_search`` returns Glassdoor company-search bodies.

How the data is laid out, so downstream tests can rely on it:

- A posting is identified by ``(source, birth_day, slot)`` and its content depends only on that key,
  ``seed`` and the board list (never on ``n_postings``), so a posting shown on several days is
  identical each day (JSearch's relative ``job_posted_at`` text is the one field that moves with
  the fetch day). One ``Random`` serves 32 consecutive slots: seeding costs as much as a posting.
- A day with ``n`` unique postings shows: new postings born that day (slots ``[0, n - r1 - r2)``),
  the first ``r1 = round(0.2 n)`` postings born the day before and the first ``r2 = round(0.1 n)``
  born two days before. With a constant ``n`` about 30% of a day's postings were also in the
  previous day's set (``REPEAT_SHARE``) and about 10% live three days.
- ``iter_payloads`` streams the same postings chunk by chunk for large ``n`` (memory: roughly
  8 KB of Python objects per posting while held). With ``workers`` > 1 it renders spans of
  2,048 slots in forked processes: a span starts at a block, so it is the same postings, handed
  back in slot order already serialized (the demo landing writes them as they are).
- JSearch: every 10th unique posting (slot % 10 == 3) mirrors a Greenhouse / Lever / Ashby posting
  of the same birth day (round-robin, board slot ``m // 3`` for mirror number ``m``): same employer,
  title modulo punctuation / "Sr." vs "Senior", location spelled differently, same text and pay.
  The mirrored board posting is in that board source's output for the same date when that source
  was generated with ``n >= n_jsearch / 25`` and the same ``seed``. ``cross_source_pairs`` lists
  the pairs. About 3% of a JSearch response set are exact repeats of a job from the previous page
  of the same query (same ``job_id``), and count toward ``n_postings``.
- Posting times fall within the 5 days before the end (UTC) of the birth day, hence within the 7
  days before the end of the partition date for every day the posting is shown.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import gc
import html
import multiprocessing
import re
import unicodedata
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from random import Random
from typing import Any

import orjson

__all__ = [
    "BOARD_SOURCES",
    "DEFAULT_BOARDS",
    "GeneratedResponse",
    "JSEARCH_DUP_SHARE",
    "LEVER_PAGE_SIZE",
    "REPEAT_SHARE",
    "cross_source_pairs",
    "employer_pool",
    "generate_company_search",
    "generate_payloads",
    "iter_payloads",
    "posting_keys",
]

GEN_SOURCES = ("jsearch", "greenhouse", "lever", "ashby", "glassdoor")
BOARD_SOURCES = ("greenhouse", "lever", "ashby")
REPEAT_PREV_DAY = 0.20  # share of a day's unique postings first shown the day before
REPEAT_TWO_DAYS = 0.10  # ... first shown two days before (these live three days)
REPEAT_SHARE = REPEAT_PREV_DAY + REPEAT_TWO_DAYS
JSEARCH_PAGE_SIZE = 10
JSEARCH_DUP_SHARE = 0.03
MIRROR_MOD, MIRROR_REM = 10, 3  # jsearch slots with slot % 10 == 3 mirror a board posting
LEVER_PAGE_SIZE = 100
POSTED_WINDOW_S = 5 * 86400
_SRC_INDEX = {s: i for i, s in enumerate(GEN_SOURCES)}


@dataclass(frozen=True)
class GeneratedResponse:
    """One synthetic API response body and how it would have been requested."""

    endpoint: str
    request_params: dict[str, Any]
    payload: Any
    page: int | None
    board: str | None
    company_name: str | None


# --------------------------------------------------------------------------------------------
# Static vocabularies
# --------------------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    return text.split("|")


# family: weight, base titles, head-of area, jsearch query, department, teams, skills,
#         mid-level annual USD, things built, specialisations, O*NET SOC
_FAMILIES: dict[str, dict[str, Any]] = {
    "software": dict(
        w=22,
        titles=[
            "Software Engineer",
            "Backend Engineer",
            "Frontend Engineer",
            "Full Stack Engineer",
            "Platform Engineer",
            "Software Developer",
        ],
        head="Engineering",
        query="software engineer",
        dept="Engineering",
        teams=[
            "Payments",
            "Core Platform",
            "Growth",
            "Billing",
            "Identity",
            "Developer Experience",
        ],
        skills=_split(
            "Python|Java|golang|Go|TypeScript|JavaScript|Node.js|React.js|React|C++|C#|.NET|"
            "Rust|Ruby on Rails|Postgres|PostgreSQL|MySQL|Redis|Kafka|gRPC|GraphQL|Docker|"
            "k8s|Kubernetes|AWS|GCP|Azure|microservices|CI/CD|Git"
        ),
        usd=150_000,
        things=["backend services", "public APIs", "internal tools", "customer-facing features"],
        specs=["Platform", "Payments", "Infrastructure", "Growth", "Backend", "Billing"],
        soc="15113200",
    ),
    "data_engineering": dict(
        w=12,
        titles=["Data Engineer", "Analytics Engineer", "Big Data Engineer", "ETL Developer"],
        head="Data Engineering",
        query="data engineer",
        dept="Data",
        teams=["Data Platform", "Analytics Engineering", "Data Infrastructure", "Core Data"],
        skills=_split(
            "Python|SQL|Spark|PySpark|Airflow|dbt|Kafka|Snowflake|BigQuery|Redshift|"
            "Databricks|Postgres|Scala|Flink|Delta Lake|Apache Iceberg|AWS|Terraform|Docker|"
            "data modeling|DuckDB|Polars"
        ),
        usd=145_000,
        things=["batch and streaming pipelines", "the lakehouse", "data models", "ELT jobs"],
        specs=["Platform", "Analytics", "Streaming", "Data Platform", "Finance Data"],
        soc="15119900",
    ),
    "data_science": dict(
        w=7,
        titles=["Data Scientist", "Applied Scientist", "Research Scientist"],
        head="Data Science",
        query="data scientist",
        dept="Data",
        teams=["Data Science", "Decision Science", "Risk", "Pricing"],
        skills=_split(
            "Python|R|SQL|scikit-learn|pandas|NumPy|statistics|A/B testing|experimentation|"
            "PyTorch|XGBoost|Jupyter|Tableau|causal inference|Spark"
        ),
        usd=150_000,
        things=["forecasting models", "experiments", "pricing models", "risk scores"],
        specs=["Product", "Risk", "Marketing", "Experimentation", "Fraud"],
        soc="15205100",
    ),
    "ml": dict(
        w=7,
        titles=["Machine Learning Engineer", "ML Engineer", "AI Engineer", "MLOps Engineer"],
        head="Machine Learning",
        query="machine learning engineer",
        dept="Engineering",
        teams=["Machine Learning", "AI Platform", "Applied AI", "Search & Ranking"],
        skills=_split(
            "Python|PyTorch|TensorFlow|scikit-learn|LLMs|Hugging Face|MLflow|Kubeflow|k8s|"
            "Docker|CUDA|C++|feature stores|Ray|AWS SageMaker|vector databases|RAG|Spark"
        ),
        usd=170_000,
        things=["model serving", "training pipelines", "ranking models", "LLM features"],
        specs=["Platform", "Ranking", "Generative AI", "Recommendations", "Infrastructure"],
        soc="15122100",
    ),
    "analytics": dict(
        w=8,
        titles=[
            "Data Analyst",
            "Business Intelligence Analyst",
            "BI Developer",
            "Product Analyst",
            "Business Analyst",
        ],
        head="Analytics",
        query="data analyst",
        dept="Data",
        teams=["Analytics", "Business Intelligence", "Finance Analytics", "Product Analytics"],
        skills=_split(
            "SQL|Excel|Tableau|Power BI|Looker|Python|dbt|Snowflake|BigQuery|"
            "Google Analytics|statistics|A/B testing|R"
        ),
        usd=100_000,
        things=["dashboards", "KPI reporting", "self-serve datasets", "business reviews"],
        specs=["Marketing", "Operations", "Finance", "Product", "Customer Success"],
        soc="15203100",
    ),
    "devops": dict(
        w=7,
        titles=[
            "Site Reliability Engineer",
            "DevOps Engineer",
            "Cloud Infrastructure Engineer",
            "Infrastructure Engineer",
        ],
        head="Infrastructure",
        query="devops engineer",
        dept="Engineering",
        teams=["Infrastructure", "SRE", "Cloud Platform", "Reliability"],
        skills=_split(
            "k8s|Kubernetes|Terraform|AWS|GCP|Azure|Docker|Helm|Prometheus|Grafana|Linux|"
            "Bash|Python|golang|Ansible|CI/CD|Jenkins|GitHub Actions|ArgoCD|observability"
        ),
        usd=150_000,
        things=["our Kubernetes clusters", "deployment pipelines", "observability", "cloud cost"],
        specs=["Platform", "Observability", "Cloud", "Networking", "Production Engineering"],
        soc="15124400",
    ),
    "security": dict(
        w=4,
        titles=["Security Engineer", "Application Security Engineer", "Security Analyst"],
        head="Security",
        query="security engineer",
        dept="Security",
        teams=["Security", "Product Security", "Detection & Response", "GRC"],
        skills=_split(
            "AWS|IAM|SIEM|Splunk|penetration testing|OWASP|Python|golang|k8s|"
            "threat modeling|SOC 2|ISO 27001|cryptography|Linux|incident response"
        ),
        usd=155_000,
        things=["detection rules", "security reviews", "IAM policies", "incident playbooks"],
        specs=["Cloud", "Detection & Response", "AppSec", "Corporate Security"],
        soc="15121200",
    ),
    "product": dict(
        w=6,
        titles=["Product Manager", "Technical Product Manager", "Product Owner"],
        head="Product",
        query="product manager",
        dept="Product",
        teams=["Product", "Platform Product", "Growth Product"],
        skills=_split(
            "roadmapping|SQL|Jira|Figma|A/B testing|product analytics|"
            "stakeholder management|APIs|Amplitude|user research|Agile"
        ),
        usd=155_000,
        things=["the product roadmap", "launch plans", "pricing experiments", "requirements"],
        specs=["Payments", "Platform", "Growth", "Developer Experience", "Data"],
        soc="11302100",
    ),
    "design": dict(
        w=4,
        titles=["Product Designer", "UX Designer", "UX Researcher", "UI Designer"],
        head="Design",
        query="product designer",
        dept="Design",
        teams=["Design", "Brand", "Design Systems"],
        skills=_split(
            "Figma|Sketch|prototyping|user research|design systems|Adobe Creative Suite|"
            "HTML|CSS|accessibility|usability testing"
        ),
        usd=130_000,
        things=["user flows", "the design system", "prototypes", "research studies"],
        specs=["Mobile", "Design Systems", "Growth", "Onboarding"],
        soc="27102400",
    ),
    "qa": dict(
        w=3,
        titles=[
            "QA Engineer",
            "Software Engineer in Test",
            "QA Analyst",
            "Test Automation Engineer",
        ],
        head="Quality",
        query="qa engineer",
        dept="Engineering",
        teams=["Quality Engineering", "QA", "Release Engineering"],
        skills=_split(
            "Selenium|Cypress|Playwright|Python|Java|JavaScript|test automation|Jira|CI/CD|"
            "Postman|REST APIs|JMeter"
        ),
        usd=110_000,
        things=["test suites", "release checks", "regression plans", "test frameworks"],
        specs=["Automation", "Mobile", "Payments"],
        soc="15125300",
    ),
    "mobile": dict(
        w=4,
        titles=["iOS Engineer", "Android Engineer", "Mobile Engineer", "Mobile Developer"],
        head="Mobile Engineering",
        query="mobile developer",
        dept="Engineering",
        teams=["Mobile", "Consumer Apps", "Mobile Platform"],
        skills=_split(
            "Swift|SwiftUI|Kotlin|Java|React Native|Objective-C|Flutter|Dart|Xcode|"
            "Android SDK|REST APIs|GraphQL|Firebase|CI/CD"
        ),
        usd=145_000,
        things=["our iOS app", "our Android app", "mobile SDKs", "offline sync"],
        specs=["iOS", "Android", "Consumer", "Platform"],
        soc="15113200",
    ),
    "sales": dict(
        w=6,
        titles=["Account Executive", "Sales Development Representative", "Solutions Engineer"],
        head="Sales",
        query="account executive",
        dept="Sales",
        teams=["Sales", "Enterprise Sales", "Mid-Market", "Solutions"],
        skills=_split(
            "Salesforce|HubSpot|SaaS|negotiation|pipeline management|CRM|Gong|Outreach|"
            "enterprise sales|MEDDIC"
        ),
        usd=120_000,
        things=["new logos", "a territory", "the sales pipeline", "customer expansion"],
        specs=["Enterprise", "Mid-Market", "AI Sales", "Startups", "Public Sector"],
        soc="41303100",
    ),
    "marketing": dict(
        w=4,
        titles=[
            "Product Marketing Manager",
            "Growth Marketing Manager",
            "Content Marketing Manager",
            "Marketing Specialist",
        ],
        head="Marketing",
        query="marketing manager",
        dept="Marketing",
        teams=["Marketing", "Growth Marketing", "Brand"],
        skills=_split(
            "HubSpot|Google Analytics|SEO|SEM|Marketo|content strategy|Salesforce|"
            "A/B testing|copywriting|SQL|Figma"
        ),
        usd=125_000,
        things=["campaigns", "launch messaging", "lifecycle emails", "the website"],
        specs=["Demand Generation", "Lifecycle", "Developer Marketing", "Brand"],
        soc="11202100",
    ),
    "finance": dict(
        w=3,
        titles=["Financial Analyst", "Accountant", "FP&A Manager", "Revenue Accountant"],
        head="Finance",
        query="financial analyst",
        dept="Finance",
        teams=["Finance", "FP&A", "Accounting", "Treasury"],
        skills=_split(
            "Excel|financial modeling|NetSuite|SAP|GAAP|IFRS|SQL|forecasting|Anaplan|"
            "Tableau|Power BI|budgeting"
        ),
        usd=105_000,
        things=["the monthly close", "budgets", "forecasts", "board reporting"],
        specs=["Strategic Finance", "Revenue", "Accounting", "Treasury"],
        soc="13205100",
    ),
    "hr": dict(
        w=3,
        titles=["Recruiter", "Technical Recruiter", "People Partner", "HR Business Partner"],
        head="People",
        query="recruiter",
        dept="People",
        teams=["Talent Acquisition", "People", "People Operations"],
        skills=_split(
            "Workday|Greenhouse|Lever|ATS|sourcing|LinkedIn Recruiter|employee relations|"
            "HRIS|compensation|onboarding|Excel"
        ),
        usd=95_000,
        things=["hiring plans", "the interview process", "onboarding", "performance cycles"],
        specs=["Engineering", "Go-To-Market", "Executive", "University"],
        soc="13107100",
    ),
}
_FAMILY_NAMES = list(_FAMILIES)
_ENG_FAMILIES = {"software", "data_engineering", "data_science", "ml", "devops", "security", "qa"}
_ENG_FAMILIES |= {"mobile"}

# (key, weight, annual pay multiplier, min years, employment type)
_SENIORITIES = [
    ("intern", 5, 0.45, 0, "INTERN"),
    ("junior", 7, 0.7, 0, "FULLTIME"),
    ("mid", 28, 1.0, 2, "FULLTIME"),
    ("ii", 6, 1.05, 2, "FULLTIME"),
    ("sr.", 10, 1.3, 5, "FULLTIME"),
    ("senior", 20, 1.3, 5, "FULLTIME"),
    ("staff", 6, 1.6, 8, "FULLTIME"),
    ("principal", 4, 1.8, 10, "FULLTIME"),
    ("lead", 5, 1.45, 7, "FULLTIME"),
    ("head", 3, 2.0, 10, "FULLTIME"),
]

# city, region code, region name, country code, country name, lat, lon, weight, spellings
_LOCATIONS: list[tuple[Any, ...]] = [
    (
        "New York",
        "NY",
        "New York",
        "US",
        "United States",
        40.7128,
        -74.006,
        12,
        [
            "New York, NY",
            "NYC",
            "New York City",
            "New York, NY, United States",
            "New York, New York",
        ],
    ),
    (
        "San Francisco",
        "CA",
        "California",
        "US",
        "United States",
        37.7749,
        -122.4194,
        9,
        ["San Francisco, CA", "SF Bay Area", "San Francisco, California, United States"],
    ),
    (
        "Seattle",
        "WA",
        "Washington",
        "US",
        "United States",
        47.6062,
        -122.3321,
        6,
        ["Seattle, WA", "Seattle, Washington"],
    ),
    (
        "Austin",
        "TX",
        "Texas",
        "US",
        "United States",
        30.2672,
        -97.7431,
        5,
        ["Austin, TX", "Austin, Texas, United States"],
    ),
    (
        "Boston",
        "MA",
        "Massachusetts",
        "US",
        "United States",
        42.3601,
        -71.0589,
        4,
        ["Boston, MA", "Boston, Massachusetts"],
    ),
    (
        "Chicago",
        "IL",
        "Illinois",
        "US",
        "United States",
        41.8781,
        -87.6298,
        4,
        ["Chicago, IL", "Chicago, Illinois, United States"],
    ),
    ("Denver", "CO", "Colorado", "US", "United States", 39.7392, -104.9903, 3, ["Denver, CO"]),
    ("Atlanta", "GA", "Georgia", "US", "United States", 33.749, -84.388, 2, ["Atlanta, GA"]),
    (
        "Toronto",
        "ON",
        "Ontario",
        "CA",
        "Canada",
        43.6532,
        -79.3832,
        7,
        ["Toronto, ON", "Toronto, ON, Canada", "Toronto, Ontario", "Toronto"],
    ),
    (
        "Montréal",
        "QC",
        "Quebec",
        "CA",
        "Canada",
        45.5019,
        -73.5674,
        4,
        ["Montréal, QC", "Montreal, Quebec", "Montreal, QC, Canada", "Montréal"],
    ),
    (
        "Vancouver",
        "BC",
        "British Columbia",
        "CA",
        "Canada",
        49.2827,
        -123.1207,
        3,
        ["Vancouver, BC", "Vancouver, British Columbia, Canada"],
    ),
    ("Calgary", "AB", "Alberta", "CA", "Canada", 51.0447, -114.0719, 1, ["Calgary, AB"]),
    (
        "London",
        "ENG",
        "England",
        "GB",
        "United Kingdom",
        51.5072,
        -0.1276,
        8,
        ["London, UK", "London, United Kingdom", "London", "London, England"],
    ),
    (
        "Manchester",
        "ENG",
        "England",
        "GB",
        "United Kingdom",
        53.4808,
        -2.2426,
        2,
        ["Manchester, UK", "Manchester, England, United Kingdom"],
    ),
    (
        "Edinburgh",
        "SCT",
        "Scotland",
        "GB",
        "United Kingdom",
        55.9533,
        -3.1883,
        2,
        ["Edinburgh, UK", "Edinburgh, Scotland"],
    ),
    (
        "Paris",
        "IDF",
        "Île-de-France",
        "FR",
        "France",
        48.8566,
        2.3522,
        5,
        ["Paris, France", "Paris", "Paris, Île-de-France, France"],
    ),
    ("Lyon", "ARA", "Auvergne-Rhône-Alpes", "FR", "France", 45.764, 4.8357, 2, ["Lyon, France"]),
    (
        "Berlin",
        "BE",
        "Berlin",
        "DE",
        "Germany",
        52.52,
        13.405,
        4,
        ["Berlin, Germany", "Berlin", "Berlin, DE"],
    ),
    (
        "Munich",
        "BY",
        "Bavaria",
        "DE",
        "Germany",
        48.1351,
        11.582,
        3,
        ["Munich, Germany", "München", "Munich, Bavaria, Germany"],
    ),
    ("Hamburg", "HH", "Hamburg", "DE", "Germany", 53.5511, 9.9937, 1, ["Hamburg, Germany"]),
    (
        "Bengaluru",
        "KA",
        "Karnataka",
        "IN",
        "India",
        12.9716,
        77.5946,
        7,
        ["Bengaluru, Karnataka, India", "Bangalore, India", "Bengaluru"],
    ),
    (
        "Hyderabad",
        "TG",
        "Telangana",
        "IN",
        "India",
        17.385,
        78.4867,
        3,
        ["Hyderabad, Telangana, India", "Hyderabad, India"],
    ),
    (
        "Pune",
        "MH",
        "Maharashtra",
        "IN",
        "India",
        18.5204,
        73.8567,
        3,
        ["Pune, Maharashtra, India", "Pune"],
    ),
]
_REMOTE_SPELLINGS = {
    "US": ["Remote - US", "Remote (US)", "United States (Remote)", "Remote"],
    "CA": ["Remote - Canada", "Remote (Canada)", "Canada (Remote)"],
    "GB": ["Remote - UK", "United Kingdom (Remote)", "Remote (UK)"],
    "FR": ["Remote - France", "France (Remote)"],
    "DE": ["Remote - Germany", "Germany (Remote)"],
    "IN": ["Remote - India", "India (Remote)"],
}
_COUNTRY_NAME = {"US": "USA", "CA": "Canada", "GB": "UK", "FR": "France", "DE": "Germany"}
_COUNTRY_NAME["IN"] = "India"
_ADDRESS_COUNTRY = {
    "US": ["USA", "United States", "US"],
    "CA": ["Canada", "CA"],
    "GB": ["United Kingdom", "UK", "GB"],
    "FR": ["France", "FR"],
    "DE": ["Germany", "DE"],
    "IN": ["India", "IN"],
}
# currency, annual multiplier vs USD, rounding step for annual figures
_COUNTRY_PAY = {
    "US": ("USD", 1.0, 1000),
    "CA": ("CAD", 1.0, 1000),
    "GB": ("GBP", 0.6, 1000),
    "FR": ("EUR", 0.52, 1000),
    "DE": ("EUR", 0.6, 1000),
    "IN": ("INR", 18.0, 10000),
}
_SYMBOL = {"USD": "$", "CAD": "CA$", "GBP": "£", "EUR": "€", "INR": "₹"}

_PUBLISHERS = [
    ("LinkedIn", "https://www.linkedin.com/jobs/view/{slug}-at-{cslug}-{num}"),
    ("Indeed", "https://www.indeed.com/viewjob?jk={hex}"),
    ("Glassdoor", "https://www.glassdoor.com/job-listing/{slug}-{cslug}-JV_KO0,20_KE21,30.htm"),
    ("ZipRecruiter", "https://www.ziprecruiter.com/c/{cslug}/Job/{slug}/-in-{city}?jid={hex}"),
    ("BeBee", "https://us.bebee.com/job/{hex}"),
    ("Built In", "https://builtin.com/job/{slug}/{num}"),
    ("Lensa", "https://lensa.com/job-v1/{cslug}/{city}/{slug}/{hex}"),
    ("Taro", "https://www.jointaro.com/jobs/{cslug}/{slug}/"),
]
_UTM = "?utm_campaign=google_jobs_apply&utm_source=google_jobs_apply&utm_medium=organic"

_INDUSTRY_BLURBS = {
    "Financial Technology": "builds payment and spend-management software for growing businesses",
    "Healthcare": "helps clinics and hospitals coordinate care and cut administrative work",
    "E-commerce": "runs an online marketplace connecting independent brands with shoppers",
    "Enterprise Software": "makes workflow software used by operations teams at large companies",
    "Cybersecurity": "protects cloud workloads and identities for thousands of organisations",
    "Internet & Web Services": "operates web infrastructure that millions of people use every day",
    "Logistics": "moves freight across North America with a software-first brokerage",
    "Media & Entertainment": "streams podcasts and video to listeners in forty countries",
    "Education Technology": "builds learning tools for schools, universities and bootcamps",
    "Energy": "develops software to balance renewable energy on the power grid",
    "Insurance": "sells and services home and auto insurance entirely online",
    "Banking": "is a digitally native bank serving small businesses and freelancers",
    "Travel": "helps travellers book flights and hotels at fair prices",
    "Telecommunications": "provides connectivity and messaging APIs to developers",
    "Gaming": "creates multiplayer games played by millions on console and mobile",
    "Real Estate": "modernises how people buy, rent and manage homes",
    "Biotech": "uses computation to speed up drug discovery",
    "Consulting": "partners with enterprises on data and cloud transformation",
    "Automotive": "builds autonomy and robotics software for industrial vehicles",
    "Retail": "operates a chain of stores backed by a modern omnichannel platform",
}
_TRAP_SENTENCES = [
    "We recently closed our Series C and are investing heavily in R&D.",
    "Our go-to-market team partners closely with R&D on every launch.",
    "Backed by top-tier investors after a Series C round, we are growing fast.",
    "We reinvest a large share of revenue into R&D and our go-to-market motion.",
    "Since our Series B we have tripled revenue and doubled the size of our R&D org.",
    "We are profitable, remote-friendly and proud of our engineering culture.",
    "Our customers range from two-person startups to Fortune 500 enterprises.",
    "We are a team of builders, operators and go-to-market experts across four offices.",
]
_FOOTER_PARTS = [
    "Benefits\nComprehensive medical, dental and vision coverage for you and your dependents. "
    "Generous parental leave and flexible time off. A yearly learning budget for courses, "
    "books and conferences. Home-office stipend and a monthly wellness allowance.",
    "What we offer\nCompetitive salary and meaningful equity. Retirement plan with company "
    "match. Flexible hours and a hybrid-friendly culture. Team offsites twice a year.",
    "Perks\nPaid volunteer days, commuter benefits, mental health support and a modern laptop "
    "setup of your choice. Learning and development budget of 1,500 per year.",
]
_EEO = [
    "{co} is an equal opportunity employer. We welcome applicants of every background and do "
    "not discriminate on the basis of race, religion, colour, national origin, gender, sexual "
    "orientation, age, marital status, veteran status or disability status.",
    "We are committed to building a diverse and inclusive team. If you need an accommodation "
    "during the interview process, please let your recruiter know. {co} participates in "
    "E-Verify where required by law.",
    "At {co} we value diversity and are committed to creating an inclusive environment for all "
    "employees. Even if you don't meet every requirement, we encourage you to apply.",
]

_ROLE_SENTENCES = [
    "As a {title} you will own {thing} end to end, from design through production support.",
    "You will join a small, senior team that ships every week and cares deeply about quality.",
    "This role sits at the intersection of product, engineering and the business.",
    "You will work closely with product managers, designers and other engineers to deliver "
    "{thing} that our customers rely on.",
    "The team is responsible for {thing} and for the tooling that keeps them reliable.",
    "We are looking for someone who enjoys ambiguity and can turn rough ideas into working "
    "systems.",
    "You will have real ownership: the work you do will be visible to customers within weeks.",
]
_RESP = [
    "Design, build and operate {thing} using {s1} and {s2}",
    "Improve the reliability and performance of {thing} built on {s1}",
    "Partner with stakeholders to scope, prioritise and deliver {thing}",
    "Write clear documentation and review the work of teammates, with a focus on {s1}",
    "Own projects from kickoff to launch, including {s1} and {s2} components",
    "Mentor other team members and raise the bar on {s1} practices",
    "Automate manual work with {s1}, {s2} and {s3}",
    "Monitor {thing} in production and lead incident follow-ups",
    "Evaluate new tools such as {s1} and make pragmatic recommendations",
    "Contribute to planning and help the team estimate and sequence work",
]
_REQ = [
    "{years}+ years of professional experience with {s1}",
    "Strong proficiency in {s1} and {s2}",
    "Hands-on experience with {s1}, {s2} or {s3}",
    "Solid understanding of {s1} in a production environment",
    "Experience working with {s1} at scale",
    "Familiarity with {s1} and {s2}",
    "Excellent written and verbal communication skills",
    "A track record of shipping {thing} with measurable impact",
    "Ability to work independently across time zones",
    "Bachelor's degree in a relevant field or equivalent practical experience",
]
_NICE = [
    "Experience with {s1}",
    "Exposure to {s1} or {s2}",
    "Prior experience at a high-growth startup",
    "Contributions to open-source projects",
    "Experience in a regulated industry such as finance or healthcare",
]
_FILLER = [
    "We care about sustainable pace, thoughtful code review and blameless retrospectives.",
    "You will have the autonomy to choose the right tools for the job and the support to grow.",
    "Our interview process is four steps: a recruiter call, a technical conversation, a "
    "practical exercise based on real work and a values interview.",
    "We publish our engineering principles internally and revisit them every quarter.",
    "Most teams work in two-week cycles with a demo at the end of each cycle.",
    "We believe in writing things down, so you will find design docs for most decisions.",
    "New joiners get a dedicated onboarding buddy and ship something small in their first week.",
    "We run a quarterly hack week where anyone can pitch and build an idea with a small team.",
    "Our on-call rotation is shared fairly, well documented and compensated.",
    "We hire for curiosity and kindness as much as for experience, and we invest in growth "
    "through mentoring, internal talks and clear career ladders.",
]

_STEMS = """Northwind Bluefin Cedarline Lumen Helix Brightpath Copperleaf Driftwood Emberly Fathom
Granite Harborview Ironclad Juniper Keystone Lattice Meridian Nimbus Oakridge Pinecrest Quanta
Redwood Silverline Tidewater Umbra Vantage Willowby Zephyr Arclight Beacon Cobalt Dovetail
Evergreen Foxglove Glacier Halcyon Indigo Jasper Kestrel Lodestar Magnolia Novara Orchid Paragon
Quarry Riverbend Summitry Tundra Upland Verdant Wavelength Yellowfin Alder Basalt Cirrus
Flint Gossamer Hearth Kindred Larkspur Mosaic Northstar Opal Parallax Quill Rookery Sable
Trellis Unison Vesper Wren Clearwater Dunmore Everly Fernhill Bramble Calico""".split()
_SUFFIXES = [
    ("Labs", "Enterprise Software"),
    ("Analytics", "Enterprise Software"),
    ("Health", "Healthcare"),
    ("Pay", "Financial Technology"),
    ("Bank", "Banking"),
    ("Capital", "Financial Technology"),
    ("Logistics", "Logistics"),
    ("Freight", "Logistics"),
    ("Security", "Cybersecurity"),
    ("Cloud", "Internet & Web Services"),
    ("Games", "Gaming"),
    ("Learning", "Education Technology"),
    ("Energy", "Energy"),
    ("Insurance", "Insurance"),
    ("Travel", "Travel"),
    ("Media", "Media & Entertainment"),
    ("Robotics", "Automotive"),
    ("Bio", "Biotech"),
    ("Systems", "Enterprise Software"),
    ("Commerce", "E-commerce"),
    ("Networks", "Telecommunications"),
    ("Homes", "Real Estate"),
    ("Partners", "Consulting"),
    ("AI", "Enterprise Software"),
    ("Technologies", "Internet & Web Services"),
    ("Retail", "Retail"),
    ("Data", "Enterprise Software"),
    ("Software", "Enterprise Software"),
]
_SIZES = [
    ("1 to 50 Employees", "SMALL", 3),
    ("51 to 200 Employees", "SMALL_TO_MEDIUM", 5),
    ("201 to 500 Employees", "MEDIUM", 5),
    ("501 to 1000 Employees", "MEDIUM", 4),
    ("1001 to 5000 Employees", "LARGE", 4),
    ("5001 to 10000 Employees", "LARGE", 2),
    ("10000+ Employees", "GIANT", 1),
]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def _slug(text: str, sep: str = "-") -> str:
    """ASCII slug: "Sr. Data Engineer - Platform" -> "sr-data-engineer-platform"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(sep, ascii_text.lower()).strip(sep)


def _weighted_table(weights: list[float]) -> list[float]:
    """Cumulative weights normalised to 1, for ``bisect`` on ``rng.random()``."""
    total = float(sum(weights))
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


def _pick_w(cum: list[float], u: float) -> int:
    return bisect.bisect_right(cum, u) if u < 1.0 else len(cum) - 1


@lru_cache(maxsize=65536)
def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _key_seed(seed: int, src: str, birth_ord: int, slot: int) -> int:
    return (((seed * 1_000_003 + _SRC_INDEX[src]) * 10_000_019 + birth_ord) << 32) + slot


def _day_end_ts(day: dt.date) -> int:
    """Epoch seconds of the midnight (UTC) that ends ``day``."""
    return _end_of_ordinal(day.toordinal())


@lru_cache(maxsize=4096)
def _end_of_ordinal(ordinal: int) -> int:
    day = dt.date.fromordinal(ordinal)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) + 86400


@lru_cache(maxsize=4096)
def _epoch_day(day: int) -> str:
    return dt.date.fromordinal(719_163 + day).isoformat()  # 719163: 1970-01-01


def _iso_base(ts: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of epoch seconds, UTC (2-3x faster than strftime)."""
    sec = ts % 86400
    return f"{_epoch_day(ts // 86400)}T{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}"


def _iso_z(ts: int) -> str:
    return f"{_iso_base(ts)}.000Z"


def _iso_offset(ts: int, offset_h: int) -> str:
    sign = "+" if offset_h >= 0 else "-"
    return f"{_iso_base(ts + offset_h * 3600)}{sign}{abs(offset_h):02d}:00"


def _iso_ms_utc(ts: int, ms: int) -> str:
    return f"{_iso_base(ts)}.{ms:03d}+00:00"


def _uuid(rng: Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def _fmt_int(v: float) -> str:
    return f"{int(round(v)):,}"


def _fmt_inr(v: float) -> str:
    """Indian digit grouping: 1800000 -> 18,00,000."""
    s = str(int(round(v)))
    if len(s) <= 3:
        return s
    head, tail = s[:-3], s[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


def _fmt_k(v: float) -> str:
    """120000 -> 120K, 85500 -> 85.5K, 45 -> 45, 45.5 -> 45.50."""
    if v >= 1000:
        k = v / 1000
        return f"{k:.0f}K" if abs(k - round(k)) < 1e-9 else f"{k:.1f}K"
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.2f}"


# --------------------------------------------------------------------------------------------
# Employers and boards
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _employers() -> tuple[dict[str, Any], ...]:
    rng = Random(20_240_601)
    loc_cum = _weighted_table([loc[7] for loc in _LOCATIONS])
    size_cum = _weighted_table([s[2] for s in _SIZES])
    industries = list(_INDUSTRY_BLURBS)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    while len(out) < 150:
        stem = _STEMS[int(rng.random() * len(_STEMS))]
        if rng.random() < 0.15:
            name, industry = stem, industries[int(rng.random() * len(industries))]
        else:
            suffix, industry = _SUFFIXES[int(rng.random() * len(_SUFFIXES))]
            name = f"{stem} {suffix}"
        if name in seen or sum(n.split()[0] == stem for n in seen) >= 2:
            continue
        seen.add(name)
        tld = (".com", ".com", ".com", ".io", ".ai", ".co")[int(rng.random() * 6)]
        domain = _slug(name, "") + tld
        size, size_cat, _ = _SIZES[_pick_w(size_cum, rng.random())]
        hq = _LOCATIONS[_pick_w(loc_cum, rng.random())]
        out.append(
            {
                "name": name,
                "domain": domain,
                "website": f"https://www.{domain}",
                "industry": industry,
                "size": size,
                "size_category": size_cat,
                "hq_city": hq[0],
                "hq_country": hq[4],
                "hq_country_code": hq[3],
                "founded": 1995 + int(rng.random() * 29),
                "blurb": _INDUSTRY_BLURBS[industry],
            }
        )
    return tuple(out)


def employer_pool() -> list[dict[str, Any]]:
    """The 150 fake-but-realistic employers used by the generator (copies; safe to mutate).

    Keys: name, domain, website, industry, size (Glassdoor bucket text), size_category, hq_city,
    hq_country, hq_country_code, founded, blurb."""
    return [dict(e) for e in _employers()]


@lru_cache(maxsize=1)
def _employer_by_name() -> dict[str, dict[str, Any]]:
    return {e["name"].lower(): e for e in _employers()}


def _default_boards() -> dict[str, list[dict[str, str]]]:
    emps = _employers()
    out: dict[str, list[dict[str, str]]] = {}
    for i, src in enumerate(BOARD_SOURCES):
        boards = []
        for e in emps[i * 8 : i * 8 + 8]:
            token = _slug(e["name"], "") if src == "greenhouse" else _slug(e["name"])
            boards.append({"token": token, "company_name": e["name"]})
        out[src] = boards
    return out


DEFAULT_BOARDS: dict[str, list[dict[str, str]]] = _default_boards()


def _company_for(name: str) -> dict[str, Any]:
    known = _employer_by_name().get(name.lower())
    if known is not None:
        return known
    return _synth_company(name)


@lru_cache(maxsize=4096)
def _synth_company(name: str) -> dict[str, Any]:
    rng = Random(_stable_hash(name))
    industries = list(_INDUSTRY_BLURBS)
    industry = industries[int(rng.random() * len(industries))]
    size, size_cat, _ = _SIZES[int(rng.random() * len(_SIZES))]
    hq = _LOCATIONS[int(rng.random() * len(_LOCATIONS))]
    domain = _slug(name, "") + ".com"
    return {
        "name": name,
        "domain": domain,
        "website": f"https://www.{domain}",
        "industry": industry,
        "size": size,
        "size_category": size_cat,
        "hq_city": hq[0],
        "hq_country": hq[4],
        "hq_country_code": hq[3],
        "founded": 1995 + int(rng.random() * 29),
        "blurb": _INDUSTRY_BLURBS[industry],
    }


# --------------------------------------------------------------------------------------------
# Description pools (built once, shared by every posting)
# --------------------------------------------------------------------------------------------

_BODIES_PER_FAMILY = 48
_BODY_MIN, _BODY_MAX = 1550, 2650  # plain characters; intro and footer add ~650-950


@dataclass(frozen=True)
class _Text:
    plain: str
    html: str
    escaped: str  # html.escape(html): what Greenhouse returns in ``content``


def _text(plain_parts: list[tuple[str, Any]]) -> _Text:
    """Render sections: ("h", heading) | ("p", text) | ("ul", [items])."""
    plain: list[str] = []
    markup: list[str] = []
    for kind, val in plain_parts:
        if kind == "h":
            plain.append(f"{val}\n")
            markup.append(f"<p><strong>{html.escape(val)}</strong></p>")
        elif kind == "p":
            plain.append(f"{val}\n\n")
            markup.append(f"<p>{html.escape(val)}</p>")
        else:
            plain.append("".join(f"• {it}\n" for it in val) + "\n")
            markup.append("<ul>" + "".join(f"<li>{html.escape(it)}</li>" for it in val) + "</ul>")
    h = "".join(markup)
    return _Text("".join(plain), h, html.escape(h))


def _body_sections(
    fam: dict[str, Any], rng: Random, title: str
) -> tuple[list[tuple[str, Any]], list[str]]:
    k = rng.randint(5, min(20, len(fam["skills"])))
    skills = rng.sample(fam["skills"], k)
    queue = list(skills)
    things = fam["things"]

    def fill(template: str) -> str:
        vals: dict[str, str] = {"thing": things[int(rng.random() * len(things))], "title": title}
        vals["years"] = str(rng.randint(2, 8))
        used: set[str] = set()
        for slot in ("s1", "s2", "s3"):
            if "{" + slot + "}" in template:
                if queue:
                    val = queue.pop(0)
                else:
                    val = rng.choice([sk for sk in skills if sk not in used] or skills)
                used.add(val)
                vals[slot] = val
        return template.format(**vals)

    role = " ".join(fill(s) for s in rng.sample(_ROLE_SENTENCES, 3))
    resp = [fill(s) for s in rng.sample(_RESP, 7)]
    req = [fill(s) for s in rng.sample(_REQ, 7)]
    nice = [fill(s) for s in rng.sample(_NICE, 2)]
    while queue:  # every chosen skill is mentioned at least once
        nice.append(f"Experience with {queue.pop(0)}")
    sections: list[tuple[str, Any]] = [("h", "The role"), ("p", role)]
    sections += [("f", f) for f in rng.sample(_FILLER, 7)]
    sections += [
        ("h", "What you'll do"),
        ("ul", resp),
        ("h", "What we're looking for"),
        ("ul", req),
        ("h", "Nice to have"),
        ("ul", nice),
    ]
    return sections, skills


def _render_sections(sections: list[tuple[str, Any]]) -> _Text:
    return _text([("p", v) if k == "f" else (k, v) for k, v in sections])


def _fit(sections: list[tuple[str, Any]], skills: list[str], rng: Random) -> _Text:
    """Trim filler paragraphs, then bullets (skill-free ones first), down to a random target."""
    target = rng.randint(_BODY_MIN, _BODY_MAX)
    text = _render_sections(sections)
    while len(text.plain) > target:
        fillers = [i for i, (k, _v) in enumerate(sections) if k == "f"]
        if fillers:
            sections.pop(fillers[int(rng.random() * len(fillers))])
        else:
            lists = [v for k, v in sections if k == "ul" and len(v) > 3]
            if not lists:
                break
            items = [(li, j) for li, v in enumerate(lists) for j in range(len(v))]
            plain = [(li, j) for li, j in items if not any(sk in lists[li][j] for sk in skills)]
            li, j = (plain or items)[int(rng.random() * len(plain or items))]
            lists[li].pop(j)
        text = _render_sections(sections)
    while len(text.plain) < _BODY_MIN:
        sections.insert(2, ("f", _FILLER[int(rng.random() * len(_FILLER))]))
        text = _render_sections(sections)
    return text


@lru_cache(maxsize=1)
def _body_pool() -> dict[str, list[_Text]]:
    pool: dict[str, list[_Text]] = {}
    for fi, fname in enumerate(_FAMILY_NAMES):
        fam = _FAMILIES[fname]
        rng = Random(9_000 + fi)
        bodies = []
        for _ in range(_BODIES_PER_FAMILY):
            title = fam["titles"][int(rng.random() * len(fam["titles"]))]
            sections, skills = _body_sections(fam, rng, title)
            bodies.append(_fit(sections, skills, rng))
        pool[fname] = bodies
    return pool


@lru_cache(maxsize=1)
def _footer_pool() -> list[tuple[str, str, str]]:
    """(plain, html, escaped html) templates with a ``{co}`` placeholder for the company."""
    out = []
    for benefits in _FOOTER_PARTS:
        head, body = benefits.split("\n", 1)
        for eeo in _EEO:
            plain = f"{head}\n{body}\n\n{eeo}\n"
            markup = (
                f"<p><strong>{head}</strong></p><p>{html.escape(body)}</p>"
                f"<p><em>{html.escape(eeo)}</em></p>"
            )
            out.append((plain, markup, html.escape(markup)))
    return out


@lru_cache(maxsize=1)
def _family_tables() -> tuple[list[float], list[float], list[float]]:
    fam_cum = _weighted_table([_FAMILIES[f]["w"] for f in _FAMILY_NAMES])
    sen_cum = _weighted_table([s[1] for s in _SENIORITIES])
    loc_cum = _weighted_table([loc[7] for loc in _LOCATIONS])
    return fam_cum, sen_cum, loc_cum


# --------------------------------------------------------------------------------------------
# The source-neutral posting ("core")
# --------------------------------------------------------------------------------------------


class _Core:
    """A source-neutral posting; renderers turn it into each API's shape."""

    __slots__ = (
        "src", "birth_ord", "slot", "rng", "company", "board", "family", "base_title", "title",
        "seniority", "spec", "loc", "mode", "loc_text", "emp", "salary", "pay_in_prose",
        "posted_ts", "ms", "body", "footer_i", "trap_i", "prose_i", "team", "dept",
    )  # fmt: skip

    rng: Random
    company: dict[str, Any]
    board: dict[str, str] | None
    family: str
    title: str
    seniority: str
    loc: tuple[Any, ...]
    mode: str
    loc_text: str
    emp: str
    salary: tuple[float, float, str, str] | None
    pay_in_prose: bool
    posted_ts: int
    ms: int
    body: _Text
    footer_i: int
    trap_i: int
    prose_i: int
    team: str
    dept: str


def _make_title(fam: dict[str, Any], base: str, sen: str, spec: str | None, rng: Random) -> str:
    eng = base.endswith(("Engineer", "Developer", "Scientist", "Analyst"))
    if sen == "intern":
        t = (f"{base} Intern", f"{base} Internship", f"Intern, {base}")[int(rng.random() * 3)]
    elif sen == "junior":
        t = f"Junior {base}"
    elif sen == "ii":
        t = f"{base} II" if eng else base
    elif sen == "sr.":
        t = f"Sr. {base}"
    elif sen == "senior":
        t = f"Senior {base}"
    elif sen == "staff":
        t = f"Staff {base}" if eng else f"Senior {base}"
    elif sen == "principal":
        t = f"Principal {base}" if eng else f"Senior {base}"
    elif sen == "lead":
        t = f"Lead {base}" if rng.random() < 0.7 else f"{base} Lead"
    elif sen == "head":
        return f"Head of {fam['head']}"
    else:
        t = base
    if spec is not None:
        t = f"{t} - {spec}" if rng.random() < 0.5 else f"{t}, {spec}"
    return t


def _salary(
    fam: dict[str, Any], sen_mult: float, emp: str, cc: str, rng: Random
) -> tuple[float, float, str, str]:
    cur, mult, step = _COUNTRY_PAY[cc]
    annual = fam["usd"] * sen_mult * mult * (0.85 + 0.3 * rng.random())
    u = rng.random()
    if emp in ("INTERN", "CONTRACTOR", "PARTTIME") and cc in ("US", "CA", "GB") or u < 0.04:
        period = "HOUR"
    elif cc == "IN" and u < 0.5 or cc in ("FR", "DE") and u < 0.15 or emp == "TEMPORARY":
        period = "MONTH"
    else:
        period = "YEAR"
    lo_f, hi_f = 0.85 + 0.07 * rng.random(), 1.08 + 0.12 * rng.random()
    if period == "YEAR":
        lo, hi = round(annual * lo_f / step) * step, round(annual * hi_f / step) * step
    elif period == "MONTH":
        m_step = 1000 if cur == "INR" else 100
        lo = round(annual / 12 * lo_f / m_step) * m_step
        hi = round(annual / 12 * hi_f / m_step) * m_step
    else:
        hourly = annual / 2080
        lo, hi = round(hourly * lo_f), round(hourly * hi_f)
        if rng.random() < 0.2:
            lo, hi = lo + 0.5, hi + 0.5
    return float(lo), float(max(hi, lo + (1 if period == "HOUR" else step))), cur, period


# salary disclosure rates by source (structured field present)
_DISCLOSE = {"jsearch": 0.45, "greenhouse": 0.4, "lever": 0.35, "ashby": 0.55}


def _core(
    rng: Random,
    src: str,
    birth_ord: int,
    slot: int,
    boards: list[dict[str, str]] | None,
    board_cum: list[float] | None,
) -> _Core:
    r = rng.random
    fam_cum, sen_cum, loc_cum = _family_tables()
    c = _Core()
    c.src, c.birth_ord, c.slot, c.rng = src, birth_ord, slot, rng
    if boards is not None and board_cum is not None:
        c.board = boards[_pick_w(board_cum, r())]
        c.company = _company_for(c.board["company_name"])
    else:
        c.board = None
        emps = _employers()
        c.company = emps[int(r() * len(emps))]
    fname = _FAMILY_NAMES[_pick_w(fam_cum, r())]
    fam = _FAMILIES[fname]
    c.family = fname
    sen = _SENIORITIES[_pick_w(sen_cum, r())]
    c.seniority = sen[0]
    base = fam["titles"][int(r() * len(fam["titles"]))]
    spec = fam["specs"][int(r() * len(fam["specs"]))] if r() < 0.3 else None
    c.title = _make_title(fam, base, sen[0], spec, rng)
    c.team = fam["teams"][int(r() * len(fam["teams"]))]
    c.dept = fam["dept"]
    # employment type
    if sen[4] == "INTERN":
        c.emp = "INTERN"
    else:
        u = r()
        c.emp = (
            "CONTRACTOR" if u < 0.05 else "PARTTIME" if u < 0.08 else
            "TEMPORARY" if u < 0.09 else "FULLTIME"
        )  # fmt: skip
    # location: company HQ country half the time, else anywhere
    loc = _LOCATIONS[_pick_w(loc_cum, r())]
    c.loc = loc
    u = r()
    c.mode = "remote" if u < 0.3 else "hybrid" if u < 0.5 else "onsite"
    if c.mode == "remote":
        spellings = _REMOTE_SPELLINGS[loc[3]]
        c.loc_text = spellings[int(r() * len(spellings))]
    else:
        c.loc_text = loc[8][int(r() * len(loc[8]))]
        if c.mode == "hybrid" and r() < 0.25:
            c.loc_text = f"{c.loc_text} (Hybrid)"
    # pay
    disclose = r() < _DISCLOSE[src]
    c.pay_in_prose = False
    c.salary = None
    if disclose or (src == "lever" and r() < 0.25):
        c.salary = _salary(fam, sen[2], c.emp, loc[3], rng)
        c.pay_in_prose = not disclose
    # time: within the 5 days before the end of the birth day
    c.posted_ts = _end_of_ordinal(birth_ord) - 1 - int(r() * POSTED_WINDOW_S)
    c.ms = int(r() * 1000)
    c.body = _body_pool()[fname][int(r() * _BODIES_PER_FAMILY)]
    c.footer_i = int(r() * len(_footer_pool()))
    c.trap_i = int(r() * len(_TRAP_SENTENCES))
    c.prose_i = int(r() * 2)
    return c


def _intro_parts(c: _Core) -> tuple[str, str, str]:
    co = c.company["name"]
    where = {
        "remote": f", working remotely ({c.loc[4]})",
        "hybrid": f" in {c.loc[0]} (hybrid, three days a week in the office)",
        "onsite": f" in our {c.loc[0]} office",
    }[c.mode]
    p1 = f"{co} {c.company['blurb']}. {_TRAP_SENTENCES[c.trap_i]}"
    p2 = f"We are hiring a {c.title} to join the {c.team} team{where}."
    return co, p1, p2


def _intro_plain(c: _Core) -> str:
    co, p1, p2 = _intro_parts(c)
    return f"About {co}\n{p1}\n\n{p2}\n\n"


def _intro(c: _Core) -> tuple[str, str]:
    co, p1, p2 = _intro_parts(c)
    plain = f"About {co}\n{p1}\n\n{p2}\n\n"
    markup = (
        f"<p><strong>About {_esc(co)}</strong></p><p>{_esc(p1)}</p>"  # both repeat a lot
        f"<p>{html.escape(p2)}</p>"
    )
    return plain, markup


def _pay_prose(sal: tuple[float, float, str, str], variant: int) -> str:
    lo, hi, cur, period = sal
    sym = {"USD": "$", "CAD": "$", "GBP": "£", "EUR": "€", "INR": "₹"}[cur]
    fmt = _fmt_inr if cur == "INR" else _fmt_int
    if period == "HOUR":
        return f"Hourly rate: {sym}{lo:.2f} - {sym}{hi:.2f} per hour ({cur})."
    if period == "MONTH":
        return f"The monthly salary for this role is {sym}{fmt(lo)} - {sym}{fmt(hi)} {cur}."
    if variant == 0:
        return f"The salary range for this role is {sym}{fmt(lo)} - {sym}{fmt(hi)}."
    return f"The base pay for this position ranges from {sym}{fmt(lo)} to {sym}{fmt(hi)} {cur}."


@lru_cache(maxsize=65536)
def _esc(text: str) -> str:
    return html.escape(text)


def _footer_escaped(c: _Core) -> str:
    """The footer as Greenhouse ships it: entity-escaped HTML (company escaped twice)."""
    return _footer_pool()[c.footer_i][2].replace("{co}", _esc(_esc(c.company["name"])))


def _footer(c: _Core, with_pay: bool, want_html: bool = True) -> tuple[str, str]:
    plain_t, html_t, _ = _footer_pool()[c.footer_i]
    co = c.company["name"]
    plain = plain_t.replace("{co}", co)
    markup = html_t.replace("{co}", _esc(co)) if want_html else ""
    if with_pay and c.salary is not None:
        prose = _pay_prose(c.salary, c.prose_i)
        plain = f"Compensation\n{prose}\n\n{plain}"
        if want_html:
            markup = f"<p><strong>Compensation</strong></p><p>{html.escape(prose)}</p>{markup}"
    return plain, markup


def _full_plain(c: _Core, with_pay: bool = False) -> str:
    fp, _ = _footer(c, with_pay, want_html=False)
    return "".join((_intro_plain(c), c.body.plain, fp))


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------

_EMP_2025 = {
    "FULLTIME": "Full-time",
    "PARTTIME": "Part-time",
    "CONTRACTOR": "Contractor",
    "INTERN": "Internship",
    "TEMPORARY": "Temporary",
}
_EMP_LEVER = {
    "FULLTIME": ("Full-time", "Full Time", "Full-Time"),
    "PARTTIME": ("Part-time",),
    "CONTRACTOR": ("Contract", "Contractor"),
    "INTERN": ("Internship", "Intern"),
    "TEMPORARY": ("Temporary",),
}
_EMP_ASHBY = {
    "FULLTIME": "FullTime",
    "PARTTIME": "PartTime",
    "CONTRACTOR": "Contract",
    "INTERN": "Intern",
    "TEMPORARY": "Temporary",
}
_LEVER_INTERVAL = {"YEAR": "per-year-salary", "HOUR": "per-hour-wage", "MONTH": "per-month-salary"}
_ASHBY_INTERVAL = {"YEAR": "1 YEAR", "HOUR": "1 HOUR", "MONTH": "1 MONTH"}


def _str_bool(v: bool, u: float) -> bool | str:
    """JSearch sometimes stores booleans as the strings "true" / "false"."""
    return ("true" if v else "false") if u < 0.6 else v


def _posted_ago(posted_ts: int, fetch_end_ts: int) -> str:
    age = max(0, fetch_end_ts - posted_ts)
    days = age // 86400
    if days == 0:
        hours = max(1, age // 3600)
        return f"{hours} hour{'s' if hours > 1 else ''} ago"
    return f"{days} day{'s' if days > 1 else ''} ago"


def _salary_text(sal: tuple[float, float, str, str], cc: str, rng: Random) -> str:
    lo, hi, cur, period = sal
    sym = _SYMBOL[cur]
    if cur == "CAD" and rng.random() < 0.5:
        sym = "$"
    unit = {"YEAR": "a year", "HOUR": "an hour", "MONTH": "a month"}[period]
    return f"{sym}{_fmt_k(lo)}–{sym}{_fmt_k(hi)} {unit}"


def _jsearch_title(title: str, rng: Random) -> str:
    """The same title as a board posting, modulo punctuation / abbreviations."""
    options = []
    if title.startswith("Sr. "):
        options.append("Senior " + title[4:])
    if title.startswith("Senior "):
        options.append("Sr. " + title[7:])
    if " - " in title:
        options.append(title.replace(" - ", ", ", 1))
    if ", " in title:
        options.append(title.replace(", ", " - ", 1))
    options.append(title + ",")
    options.append(title.replace("-", " ") if "-" in title else title + " ")
    return options[int(rng.random() * len(options))]


def _apply_link(c: _Core, rng: Random, publisher_i: int) -> tuple[str, str]:
    name, pattern = _PUBLISHERS[publisher_i]
    link = pattern.format(
        slug=_slug(c.title),
        cslug=_slug(c.company["name"]),
        num=3_700_000_000 + int(rng.random() * 600_000_000),
        hex=f"{rng.getrandbits(64):016x}",
        city=_slug(c.loc[0]),
    )
    return name, link + _UTM


def _render_jsearch(
    c: _Core, fetch_end_ts: int, mirror: _Core | None, mirror_url: str | None
) -> dict[str, Any]:
    rng = c.rng
    r = rng.random
    src = mirror if mirror is not None else c
    job_id = base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big") + b"\0\0\0\0")
    job_id_s = job_id.decode("ascii")
    title = _jsearch_title(src.title, rng) if mirror is not None else src.title
    loc = src.loc
    remote = src.mode == "remote"
    description = _full_plain(src, with_pay=src.pay_in_prose)
    sal = src.salary
    if mirror is not None and sal is not None and r() < 0.3:
        sal = None  # aggregators drop the pay now and then
    co = src.company
    if mirror is not None and mirror_url is not None:
        publisher = {"greenhouse": "Greenhouse", "lever": "Lever", "ashby": "Ashby"}[mirror.src]
        apply_link, is_direct = mirror_url, True
        options = [{"publisher": publisher, "apply_link": apply_link, "is_direct": True}]
    else:
        pi = int(r() * len(_PUBLISHERS))
        publisher, apply_link = _apply_link(src, rng, pi)
        is_direct = False
        options = [{"publisher": publisher, "apply_link": apply_link, "is_direct": False}]
        if r() < 0.5:
            p2, l2 = _apply_link(src, rng, (pi + 1 + int(r() * 3)) % len(_PUBLISHERS))
            options.append({"publisher": p2, "apply_link": l2, "is_direct": False})
    city = None if remote and r() < 0.6 else loc[0]
    state = loc[1] if city is not None and loc[3] in ("US", "CA") else None
    gl = loc[3].lower()
    q = _slug(title, "+")
    docid = job_id_s.replace("=", "%3D")
    google = (
        f"https://www.google.com/search?gl={gl}&hl=en&rciv=jb&q={q}&udm=8"
        f"#vhid=vt%3D20/docid%3D{docid}&vssid=jobs-detail-viewer"
    )
    website = co["website"] if r() < 0.75 else None
    emp = src.emp
    new_schema = r() < 0.5
    posted_ts = src.posted_ts
    if new_schema and _end_of_ordinal(src.birth_ord) - posted_ts >= 86400:
        # postings older than their first fetch day carry a midnight timestamp ("N days ago")
        posted_ts -= posted_ts % 86400
    job: dict[str, Any]
    if new_schema:
        if city is None:
            job_location = "Anywhere" if r() < 0.2 else loc[4]
        elif state is not None:
            job_location = f"{city}, {state}"
        else:
            job_location = f"{city}, {loc[4]}"
        types = [emp] if r() < 0.93 else [emp, "CONTRACTOR" if emp != "CONTRACTOR" else "FULLTIME"]
        emp_text = _EMP_2025[types[0]]
        if len(types) > 1:
            emp_text = f"{emp_text} and {_EMP_2025[types[1]].lower()}"
        salary_text = _salary_text(sal, loc[3], rng) if sal is not None else None
        numeric = sal is not None and r() < 0.8
        job = {
            "job_id": job_id_s,
            "job_title": title,
            "employer_name": co["name"],
            "employer_logo": None,
            "employer_website": website,
            "job_publisher": publisher,
            "job_employment_type": emp_text,
            "job_employment_types": types,
            "job_apply_link": apply_link,
            "job_apply_is_direct": is_direct,
            "apply_options": options,
            "job_description": description,
            "job_is_remote": remote,
            "job_posted_at": _posted_ago(posted_ts, fetch_end_ts),
            "job_posted_at_timestamp": posted_ts,
            "job_posted_at_datetime_utc": _iso_z(posted_ts),
            "job_location": job_location,
            "job_city": city,
            "job_state": state,
            "job_country": loc[3],
            "job_latitude": loc[5] if city is not None else None,
            "job_longitude": loc[6] if city is not None else None,
            "job_benefits": None,
            "job_google_link": google,
            "job_salary": salary_text,
            "job_min_salary": sal[0] if numeric and sal is not None else None,
            "job_max_salary": sal[1] if numeric and sal is not None else None,
            "job_salary_period": sal[3] if numeric and sal is not None else None,
            "job_highlights": {},
            "job_onet_soc": _FAMILIES[src.family]["soc"],
            "job_onet_job_zone": "4",
        }
    else:
        months = None if r() < 0.5 else 12 * (1 + int(r() * 8))
        skills = None
        if r() < 0.4:
            pool = _FAMILIES[src.family]["skills"]
            picked = {pool[int(r() * len(pool))] for _ in range(4)}
            skills = [s.upper() if r() < 0.3 else s for s in sorted(picked)]
        job = {
            "job_id": job_id_s,
            "employer_name": co["name"],
            "employer_logo": None,
            "employer_website": website,
            "employer_company_type": None,
            "employer_linkedin": None,
            "job_publisher": publisher,
            "job_employment_type": emp,
            "job_title": title,
            "job_apply_link": apply_link,
            "job_apply_is_direct": is_direct,
            "job_apply_quality_score": round(0.4 + 0.6 * r(), 4),
            "apply_options": options,
            "job_description": description,
            "job_is_remote": remote,
            "job_posted_at_timestamp": posted_ts,
            "job_posted_at_datetime_utc": _iso_z(posted_ts),
            "job_city": city,
            "job_state": state,
            "job_country": loc[3],
            "job_latitude": loc[5] if city is not None else None,
            "job_longitude": loc[6] if city is not None else None,
            "job_benefits": None,
            "job_google_link": google,
            "job_offer_expiration_datetime_utc": None,
            "job_offer_expiration_timestamp": None,
            "job_required_experience": {
                "no_experience_required": _str_bool(src.seniority == "intern", r()),
                "required_experience_in_months": months,
                "experience_mentioned": _str_bool(months is not None, r()),
                "experience_preferred": _str_bool(False, r()),
            },
            "job_required_skills": skills,
            "job_required_education": {
                "postgraduate_degree": False,
                "professional_certification": False,
                "high_school": False,
                "associates_degree": False,
                "bachelors_degree": _str_bool(r() < 0.5, r()),
                "degree_mentioned": _str_bool(r() < 0.4, r()),
                "degree_preferred": "false",
                "professional_certification_mentioned": "false",
            },
            "job_experience_in_place_of_education": False,
            "job_min_salary": sal[0] if sal is not None else None,
            "job_max_salary": sal[1] if sal is not None else None,
            "job_salary_currency": sal[2] if sal is not None else None,
            "job_salary_period": sal[3] if sal is not None else None,
            "job_highlights": _highlights(src, rng) if r() < 0.6 else {},
            "job_job_title": None,
            "job_posting_language": "en",
            "job_onet_soc": _FAMILIES[src.family]["soc"],
            "job_onet_job_zone": "4",
            "job_occupational_categories": None,
            "job_naics_code": None,
            "job_naics_name": None,
        }
    return job


def _highlights(c: _Core, rng: Random) -> dict[str, list[str]]:
    skills = _FAMILIES[c.family]["skills"]
    s1, s2 = skills[int(rng.random() * len(skills))], skills[int(rng.random() * len(skills))]
    return {
        "Qualifications": [f"Experience with {s1}", f"Working knowledge of {s2}"],
        "Responsibilities": [f"Build and maintain {_FAMILIES[c.family]['things'][0]}"],
        "Benefits": ["Health insurance", "Paid time off"],
    }


def _gh_id(c: _Core) -> int:
    """Unique per (birth day, slot) for slots < 2**24 and birth days < 11 years apart: a
    bijective scramble of a 36-bit key, so ids look like real ones (no runs of zeros)."""
    key = ((c.birth_ord % 4096) << 24) | (c.slot & 0xFFFFFF)
    return 4_000_000_000 + (key * 0x9E3779B1) % (1 << 36)


def _gh_url(c: _Core, token: str, job_id: int) -> str:
    style = _stable_hash(token) % 3
    if style == 0:
        return f"https://boards.greenhouse.io/{token}/jobs/{job_id}?gh_jid={job_id}"
    if style == 1:
        return f"https://job-boards.greenhouse.io/{token}/jobs/{job_id}"
    return f"https://{c.company['domain']}/careers/jobs?gh_jid={job_id}"


def _render_greenhouse(c: _Core) -> dict[str, Any]:
    rng = c.rng
    r = rng.random
    token = c.board["token"] if c.board else _slug(c.company["name"], "")
    job_id = _gh_id(c)
    _ip, ih = _intro(c)
    content = "".join((html.escape(ih), c.body.escaped, _footer_escaped(c)))
    published = _iso_offset(c.posted_ts, -4)
    end = _end_of_ordinal(c.birth_ord) - 1
    updated_ts = c.posted_ts + int(r() * (end - c.posted_ts))
    loc = c.loc
    loc_name = c.loc_text
    metadata: list[dict[str, Any]] | None = None
    if r() < 0.4:
        metadata = [
            {
                "id": 825_338,
                "name": "Employment Type",
                "value": _EMP_2025[c.emp],
                "value_type": "single_select",
            },
            {
                "id": 8_654_220,
                "name": "Job Posting Location",
                "value": [c.loc_text],
                "value_type": "multi_select",
            },
        ]
        if r() < 0.3:
            loc_name = "In-Office" if c.mode == "onsite" else "Hybrid"
    office_name = c.loc_text if c.mode == "remote" else f"{loc[0]}, {loc[1]}"
    job: dict[str, Any] = {
        "absolute_url": _gh_url(c, token, job_id),
        "data_compliance": [
            {
                "type": "gdpr",
                "requires_consent": False,
                "requires_processing_consent": False,
                "requires_retention_consent": False,
                "retention_period": None,
                "demographic_data_consent_applies": False,
            }
        ],
        "internal_job_id": 3_000_000 + job_id % 1_000_000,
        "location": {"name": loc_name},
        "metadata": metadata,
        "id": job_id,
        "updated_at": _iso_offset(updated_ts, -4),
        "requisition_id": str(100 + c.slot % 9000) if r() < 0.7 else None,
        "title": c.title,
        "company_name": c.company["name"],
        "first_published": published,
        "language": "en",
        "application_deadline": None,
        "content": content,
        "departments": [
            {
                "id": 20_000 + _stable_hash(c.dept) % 60_000,
                "name": c.dept,
                "child_ids": [],
                "parent_id": None,
            }
        ],
        "offices": [
            {
                "id": 10_000 + _stable_hash(office_name) % 80_000,
                "name": office_name,
                "location": f"{loc[0]}, {loc[2]}, {loc[4]}",
                "child_ids": [],
                "parent_id": 40_000 + _stable_hash(loc[4]) % 40_000,
            }
        ],
    }
    if c.salary is not None and c.salary[3] == "YEAR":
        lo, hi, cur, _ = c.salary
        ranges = [
            {
                "min_cents": int(lo * 100),
                "max_cents": int(hi * 100),
                "currency_type": cur,
                "title": f"{loc[3]} Zone 1",
                "blurb": "The base salary range for this role is shown below.",
            }
        ]
        if r() < 0.3:
            ranges.append(
                {
                    "min_cents": int(lo * 90),
                    "max_cents": int(hi * 90),
                    "currency_type": cur,
                    "title": f"{loc[3]} Zone 2",
                    "blurb": "Zone 2 covers all other locations in the country.",
                }
            )
        job["pay_input_ranges"] = ranges
    return job


def _lever_url(c: _Core, token: str, uid: str) -> str:
    return f"https://jobs.lever.co/{token}/{uid}"


def _render_lever(c: _Core) -> dict[str, Any]:
    rng = c.rng
    r = rng.random
    token = c.board["token"] if c.board else _slug(c.company["name"])
    uid = _uuid(rng)
    ip, ih = _intro(c)
    fp, fh = _footer(c, c.pay_in_prose)
    commit_opts = _EMP_LEVER[c.emp]
    workplace = "unspecified" if r() < 0.05 else c.mode
    all_locs = [c.loc_text]
    if r() < 0.1:
        other = _LOCATIONS[int(r() * len(_LOCATIONS))]
        if other[8][0] != c.loc_text:
            all_locs.append(other[8][0])
    cats: dict[str, Any] = {
        "commitment": commit_opts[int(r() * len(commit_opts))],
        "location": c.loc_text,
        "team": c.team,
        "allLocations": all_locs,
    }
    if r() < 0.5:
        cats["department"] = c.dept
    url = _lever_url(c, token, uid)
    job: dict[str, Any] = {
        "additionalPlain": fp,
        "additional": fh,
        "categories": cats,
        "createdAt": c.posted_ts * 1000 + c.ms,
        "descriptionPlain": "".join((ip, c.body.plain)),
        "description": "".join(("<div>", ih, c.body.html, "</div>")),
        "id": uid,
        "lists": [],
        "text": c.title,
        "country": c.loc[3],
        "workplaceType": workplace,
        "hostedUrl": url,
        "applyUrl": f"{url}/apply",
    }
    if c.salary is not None and not c.pay_in_prose:
        lo, hi, cur, period = c.salary
        job["salaryRange"] = {
            "min": lo,
            "max": hi,
            "currency": cur,
            "interval": _LEVER_INTERVAL[period],
        }
    return job


def _ashby_url(token: str, uid: str) -> str:
    return f"https://jobs.ashbyhq.com/{token}/{uid}"


def _ashby_summary(lo: float, hi: float, cur: str, period: str) -> str:
    sym = _SYMBOL[cur]
    if period == "HOUR":
        return f"{sym}{_fmt_k(lo)} – {sym}{_fmt_k(hi)} per hour"
    if period == "MONTH":
        return f"{sym}{_fmt_k(lo)} – {sym}{_fmt_k(hi)} per month"
    return f"{sym}{_fmt_k(lo)} – {sym}{_fmt_k(hi)}"


def _render_ashby(c: _Core) -> dict[str, Any]:
    rng = c.rng
    r = rng.random
    token = c.board["token"] if c.board else _slug(c.company["name"])
    uid = _uuid(rng)
    ip, ih = _intro(c)
    fp, fh = _footer(c, False)
    title = c.title
    u = r()
    if u < 0.08:
        title = title + " "
    elif u < 0.1:
        title = " " + title
    loc = c.loc
    is_remote = c.mode == "remote"
    workplace = {"remote": "Remote", "hybrid": "Hybrid", "onsite": "OnSite"}[c.mode]
    if c.mode == "hybrid" and r() < 0.3:
        is_remote = True  # contradicts workplaceType, as in the real Ramp board
    region = loc[2] if r() < 0.5 else loc[1]
    if r() < 0.1:
        region += " "
    locality = loc[0]
    if locality == "New York" and r() < 0.5:
        locality = "New York City"
    countries = _ADDRESS_COUNTRY[loc[3]]
    address = {
        "postalAddress": {
            "addressRegion": region,
            "addressCountry": countries[int(r() * len(countries))],
            "addressLocality": locality,
        }
    }
    secondary = []
    if r() < 0.2 and c.mode != "remote":
        spellings = _REMOTE_SPELLINGS[loc[3]]
        secondary.append(
            {
                "location": spellings[int(r() * len(spellings))],
                "address": {"postalAddress": {"addressCountry": loc[4]}},
            }
        )
    comp: dict[str, Any] = {
        "compensationTierSummary": None,
        "scrapeableCompensationSalarySummary": None,
        "compensationTiers": [],
        "summaryComponents": [],
    }
    if c.salary is not None:
        lo, hi, cur, period = c.salary
        summary = _ashby_summary(lo, hi, cur, period)
        salary_comp = {
            "id": _uuid(rng),
            "summary": summary,
            "compensationType": "Salary",
            "interval": _ASHBY_INTERVAL[period],
            "currencyCode": cur,
            "minValue": lo,
            "maxValue": hi,
        }
        components = [salary_comp]
        tier_summary = summary
        if r() < 0.25:
            components.append(
                {
                    "id": _uuid(rng),
                    "summary": "0.05% – 0.1%",
                    "compensationType": "EquityPercentage",
                    "interval": "NONE",
                    "currencyCode": None,
                    "minValue": 0.05,
                    "maxValue": 0.1,
                }
            )
            tier_summary = f"{summary} • Offers Equity"
        comp = {
            "compensationTierSummary": tier_summary,
            "scrapeableCompensationSalarySummary": summary.replace(" – ", " - "),
            "compensationTiers": [
                {
                    "id": _uuid(rng),
                    "tierSummary": tier_summary,
                    "title": "Zone 1",
                    "additionalConsiderations": None,
                    "components": components,
                }
            ],
            "summaryComponents": [salary_comp],
        }
    url = _ashby_url(token, uid)
    return {
        "id": uid,
        "title": title,
        "department": c.dept,
        "team": c.team,
        "employmentType": _EMP_ASHBY[c.emp],
        "location": c.loc_text,
        "secondaryLocations": secondary,
        "publishedAt": _iso_ms_utc(c.posted_ts, c.ms),
        "isListed": r() >= 0.03,
        "isRemote": is_remote,
        "workplaceType": workplace,
        "address": address,
        "jobUrl": url,
        "applyUrl": f"{url}/application",
        "descriptionHtml": "".join((ih, c.body.html, fh)),
        "descriptionPlain": "".join((ip, c.body.plain, fp)),
        "shouldDisplayCompensationOnJobPostings": c.salary is not None,
        "compensation": comp,
    }


_RENDER = {"greenhouse": _render_greenhouse, "lever": _render_lever, "ashby": _render_ashby}


def _posting_url(src: str, job: dict[str, Any]) -> str:
    if src == "greenhouse":
        return str(job["absolute_url"])
    if src == "lever":
        return str(job["hostedUrl"])
    return str(job["jobUrl"])


# --------------------------------------------------------------------------------------------
# Day composition
# --------------------------------------------------------------------------------------------


_BLOCK = 32  # postings per Random instance: seeding costs as much as building a posting


class _BirthStream:
    """The postings of one (seed, source, birth day) in slot order.

    A fresh ``Random`` every ``_BLOCK`` slots; each posting draws its core and then its
    rendering from it, so the caller must render a core before asking for the next one. The
    content of slot ``i`` depends only on the key and on slots before it in its block, never on
    how many postings a day shows."""

    def __init__(
        self,
        seed: int,
        src: str,
        birth_ord: int,
        boards: list[dict[str, str]] | None,
        board_cum: list[float] | None,
    ) -> None:
        self.seed, self.src, self.birth_ord = seed, src, birth_ord
        self.boards, self.board_cum = boards, board_cum
        self.next_slot = 0
        self.rng = Random(0)

    def next(self) -> _Core:
        slot = self.next_slot
        if slot % _BLOCK == 0:
            self.rng = Random(_key_seed(self.seed, self.src, self.birth_ord, slot // _BLOCK))
        self.next_slot += 1
        return _core(self.rng, self.src, self.birth_ord, slot, self.boards, self.board_cum)


class _MirrorBoards:
    """Board postings referenced by JSearch mirrors, generated exactly as the board source
    generates them (same streams, same render order). Only the 32-slot block of the latest
    request is kept per (source, birth day): a block depends on nothing before it, and mirror
    requests come in slot order, so each block is generated once."""

    def __init__(self, seed: int, boards: dict[str, list[dict[str, str]]]) -> None:
        self.seed, self.boards = seed, boards
        self.cums = {src: _board_cum(b) for src, b in boards.items() if b}
        self.blocks: dict[tuple[str, int], tuple[int, _BirthStream, list[tuple[_Core, Any]]]] = {}

    def get(self, src: str, birth_ord: int, slot: int) -> tuple[_Core, dict[str, Any]] | None:
        boards = self.boards.get(src)
        if not boards:
            return None
        block = slot // _BLOCK
        key = (src, birth_ord)
        held = self.blocks.get(key)
        if held is None or held[0] != block:
            stream = _BirthStream(self.seed, src, birth_ord, boards, self.cums[src])
            stream.next_slot = block * _BLOCK  # a block starts from its own seed
            held = (block, stream, [])
            self.blocks[key] = held
        _block, stream, done = held
        while len(done) <= slot - block * _BLOCK:
            core = stream.next()
            done.append((core, _RENDER[src](core)))
        return done[slot - block * _BLOCK]


def _board_cum(boards: list[dict[str, str]]) -> list[float]:
    """Boards get unequal shares (1/sqrt(rank)), like real companies of different sizes."""
    return _weighted_table([1.0 / (i + 1) ** 0.5 for i in range(len(boards))])


def _day_groups(partition_date: dt.date, n_unique: int) -> list[tuple[int, int]]:
    """``(birth_day_ordinal, how many leading slots)`` shown on a date."""
    if n_unique <= 0:
        return []
    d = partition_date.toordinal()
    r1 = round(n_unique * REPEAT_PREV_DAY)
    r2 = round(n_unique * REPEAT_TWO_DAYS)
    groups = [(d, n_unique - r1 - r2), (d - 1, r1), (d - 2, r2)]
    return [(b, k) for b, k in groups if k > 0]


def posting_keys(partition_date: dt.date, n_unique: int) -> list[tuple[int, int]]:
    """The ``(birth_day_ordinal, slot)`` keys shown on a date: new postings first, then the ones
    first shown one and two days before (see the module docstring)."""
    return [(b, s) for b, k in _day_groups(partition_date, n_unique) for s in range(k)]


def _jsearch_unique(n: int) -> int:
    return n - int(n * JSEARCH_DUP_SHARE)


def _mirror_target(slot: int) -> tuple[str, int] | None:
    if slot % MIRROR_MOD != MIRROR_REM:
        return None
    m = slot // MIRROR_MOD
    return BOARD_SOURCES[m % 3], m // 3


def generate_payloads(
    source: str,
    partition_date: dt.date,
    n_postings: int,
    seed: int = 0,
    boards: list[dict[str, str]] | None = None,
    mirror_boards: dict[str, list[dict[str, str]]] | None = None,
) -> list[GeneratedResponse]:
    """Synthetic response bodies of one source for one day, holding ``n_postings`` postings in
    total (Glassdoor: ``n_postings`` company searches over the employer pool).

    ``boards`` (board sources) defaults to ``DEFAULT_BOARDS[source]``; ``mirror_boards``
    (jsearch only: source -> boards the cross-source mirrors come from) defaults to
    ``DEFAULT_BOARDS``. Same arguments -> identical payloads."""
    return list(
        iter_payloads(
            source, partition_date, n_postings, seed, boards, mirror_boards, chunk_postings=None
        )
    )


def iter_payloads(
    source: str,
    partition_date: dt.date,
    n_postings: int,
    seed: int = 0,
    boards: list[dict[str, str]] | None = None,
    mirror_boards: dict[str, list[dict[str, str]]] | None = None,
    chunk_postings: int | None = 50_000,
    workers: int = 1,
) -> Iterator[GeneratedResponse]:
    """``generate_payloads`` as a stream that holds about ``chunk_postings`` postings at a time
    (None: all at once). The postings and the JSearch and Lever pages are the same as
    ``generate_payloads`` returns, in another order; a Greenhouse or Ashby board with postings
    in several chunks comes as one response per chunk (its ``meta.total`` counts that response).

    ``workers`` > 1 renders the postings in that many processes (spans of ``_SPAN`` slots, each
    from its own seeds, handed back in slot order): the same responses, each posting already
    serialized as an ``orjson.Fragment`` (what the raw landing writes as is)."""
    if source not in GEN_SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {GEN_SOURCES}")
    if n_postings < 0:
        raise ValueError("n_postings must be >= 0")
    if chunk_postings is not None and chunk_postings < 1:
        raise ValueError("chunk_postings must be >= 1")
    if workers < 1:
        raise ValueError("workers must be >= 1")
    if source == "glassdoor":
        names = sorted(e["name"] for e in _employers())
        return iter([_glassdoor_response(name, seed) for name in names[:n_postings]])
    board_list = DEFAULT_BOARDS.get(source, []) if boards is None else boards
    if source != "jsearch" and not board_list:
        raise ValueError(f"{source}: boards must not be empty")
    chunk = chunk_postings or max(n_postings, 1)
    jsearch = source == "jsearch"
    mb = (DEFAULT_BOARDS if mirror_boards is None else mirror_boards) if jsearch else None
    groups = _day_groups(partition_date, _jsearch_unique(n_postings) if jsearch else n_postings)
    renderer = (source, seed, None if jsearch else board_list, mb, _day_end_ts(partition_date))
    jobs = (
        _rendered_in_processes(workers, groups, *renderer)
        if workers > 1
        else _rendered_here(groups, _Renderer(*renderer))
    )
    if jsearch:
        return _chunked(_jsearch_chunks(partition_date, n_postings, seed, jobs, chunk))
    return _chunked(_board_chunks(source, n_postings, board_list, jobs, chunk))


def _chunked(chunks: Iterator[list[GeneratedResponse]]) -> Iterator[GeneratedResponse]:
    """Build each chunk with the cyclic GC paused (millions of fresh, acyclic dicts would
    trigger many useless full collections: about a third of the run time), then yield it with
    the GC back on."""
    while True:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            batch = next(chunks, None)
        finally:
            if was_enabled:
                gc.enable()
        if batch is None:
            return
        yield from batch


def _cores(
    seed: int,
    source: str,
    groups: list[tuple[int, int]],
    boards: list[dict[str, str]] | None,
    cum: list[float] | None,
) -> Iterator[tuple[int, int, _Core]]:
    for birth, count in groups:
        stream = _BirthStream(seed, source, birth, boards, cum)
        for slot in range(count):
            yield birth, slot, stream.next()


def _board_chunks(
    source: str,
    n: int,
    boards: list[dict[str, str]],
    rendered: Iterator[tuple[str, Any]],
    chunk: int,
) -> Iterator[list[GeneratedResponse]]:
    lever_left: dict[str, list[Any]] = {b["token"]: [] for b in boards}
    lever_page: dict[str, int] = {b["token"]: 0 for b in boards}
    remaining = n
    first = True
    while remaining > 0 or first:
        take = min(chunk, remaining)
        remaining -= take
        last = remaining == 0
        by_board: dict[str, list[Any]] = {b["token"]: [] for b in boards}
        for _ in range(take):
            token, job = next(rendered)
            by_board[token].append(job)
        out: list[GeneratedResponse] = []
        for b in boards:
            token, name = b["token"], b.get("company_name")
            jobs = by_board[token]
            if source == "lever":
                jobs = lever_left[token] + jobs
                while len(jobs) >= LEVER_PAGE_SIZE or (last and jobs is not None):
                    page = lever_page[token]
                    data, jobs = jobs[:LEVER_PAGE_SIZE], jobs[LEVER_PAGE_SIZE:]
                    out.append(_lever_response(token, name, page, data))
                    lever_page[token] = page + 1
                    if len(data) < LEVER_PAGE_SIZE:
                        break  # the short page that ends the board
                lever_left[token] = jobs
            elif jobs or first:
                out.append(_board_response(source, token, name, jobs))
        first = False
        yield out


def _board_response(
    source: str, token: str, name: str | None, jobs: list[dict[str, Any]]
) -> GeneratedResponse:
    if source == "greenhouse":
        return GeneratedResponse(
            endpoint=f"/v1/boards/{token}/jobs",
            request_params={"content": "true"},
            payload={"jobs": jobs, "meta": {"total": len(jobs)}},
            page=None,
            board=token,
            company_name=name,
        )
    return GeneratedResponse(
        endpoint=f"/posting-api/job-board/{token}",
        request_params={"includeCompensation": "true"},
        payload={"apiVersion": "1", "jobs": jobs},
        page=None,
        board=token,
        company_name=name,
    )


def _lever_response(
    token: str, name: str | None, page: int, data: list[dict[str, Any]]
) -> GeneratedResponse:
    return GeneratedResponse(
        endpoint=f"/v0/postings/{token}",
        request_params={"mode": "json", "skip": page * LEVER_PAGE_SIZE, "limit": LEVER_PAGE_SIZE},
        payload=data,
        page=page + 1,
        board=token,
        company_name=name,
    )


def _jsearch_job(
    birth: int, slot: int, core: _Core, fetch_end: int, mirrors: _MirrorBoards
) -> tuple[dict[str, Any], str, tuple[str, str] | None]:
    """One unique JSearch job with its family and, for mirrors, (board source, board id)."""
    target = _mirror_target(slot)
    found = mirrors.get(target[0], birth, target[1]) if target is not None else None
    if found is None:
        return _render_jsearch(core, fetch_end, None, None), core.family, None
    bcore, bjob = found
    job = _render_jsearch(core, fetch_end, bcore, _posting_url(bcore.src, bjob))
    return job, bcore.family, (bcore.src, str(bjob["id"]))


class _JsearchPager:
    """Pages of 10 per query; a job marked as a repeat shows up again on the next page."""

    def __init__(self, seed: int, day: dt.date) -> None:
        self.rng = Random(_key_seed(seed, "jsearch", day.toordinal(), 1 << 31))
        self.open: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}
        self.page_no: dict[tuple[str, str], int] = {}

    def add(self, key: tuple[str, str], job: dict[str, Any], repeat: bool) -> list[Any]:
        page, pending = self.open.setdefault(key, ([], []))
        page.append(job)
        if repeat:
            pending.append(job)
        if len(page) < JSEARCH_PAGE_SIZE:
            return []
        self.open[key] = (pending[:JSEARCH_PAGE_SIZE], pending[JSEARCH_PAGE_SIZE:])
        return [self._response(key, page)]

    def flush(self) -> list[GeneratedResponse]:
        out = []
        for key, (page, pending) in self.open.items():
            if page:  # repeats of this page's jobs go to the page after it
                out.append(self._response(key, page))
            rest = pending
            while rest:
                out.append(self._response(key, rest[:JSEARCH_PAGE_SIZE]))
                rest = rest[JSEARCH_PAGE_SIZE:]
        self.open = {}
        return out

    def _response(self, key: tuple[str, str], data: list[dict[str, Any]]) -> GeneratedResponse:
        fam, cc = key
        p = self.page_no.get(key, 0) + 1
        self.page_no[key] = p
        params = {
            "query": f"{_FAMILIES[fam]['query']} in {_COUNTRY_NAME[cc]}",
            "page": p,
            "num_pages": 1,
            "date_posted": "week",
            "country": cc.lower(),
        }
        body = {
            "status": "OK",
            "request_id": _uuid(self.rng),
            "parameters": dict(params),
            "data": data,
        }
        return GeneratedResponse("/search", params, body, p, None, None)


def _jsearch_chunks(
    day: dt.date,
    n: int,
    seed: int,
    rendered: Iterator[tuple[tuple[str, str], Any]],
    chunk: int,
) -> Iterator[list[GeneratedResponse]]:
    n_unique = _jsearch_unique(n)
    pager = _JsearchPager(seed, day)
    # ~3% exact repeats: the chosen jobs show up again at the top of the next page
    repeats = set(pager.rng.sample(range(n_unique), n - n_unique)) if n_unique else set()
    done = 0
    while done < n_unique:
        out: list[GeneratedResponse] = []
        for i in range(done, min(done + chunk, n_unique)):
            key, job = next(rendered)
            out.extend(pager.add(key, job, i in repeats))
        done = min(done + chunk, n_unique)
        if done == n_unique:
            out.extend(pager.flush())
        yield out


class _Renderer:
    """Renders one source's postings slot by slot, keyed by what the chunking groups them by:
    a board's token, or a JSearch page's (family, country)."""

    def __init__(
        self,
        source: str,
        seed: int,
        boards: list[dict[str, str]] | None,
        mirror_boards: dict[str, list[dict[str, str]]] | None,
        fetch_end: int,
    ) -> None:
        self.source, self.seed, self.boards, self.fetch_end = source, seed, boards, fetch_end
        self.cum = _board_cum(boards) if boards else None
        self.mirrors = _MirrorBoards(seed, mirror_boards) if mirror_boards is not None else None

    def stream(self, birth: int) -> _BirthStream:
        return _BirthStream(self.seed, self.source, birth, self.boards, self.cum)

    def render(self, birth: int, slot: int, core: _Core) -> tuple[Any, dict[str, Any]]:
        if self.source == "jsearch":
            job, family, _pair = _jsearch_job(birth, slot, core, self.fetch_end, self.mirrors)  # type: ignore[arg-type]
            return (family, job["job_country"]), job
        return core.board["token"], _RENDER[self.source](core)  # type: ignore[index]


def _rendered_here(groups: list[tuple[int, int]], renderer: _Renderer) -> Iterator[tuple[Any, Any]]:
    """(key, rendered posting) per slot, in slot order."""
    for birth, count in groups:
        stream = renderer.stream(birth)
        for slot in range(count):
            yield renderer.render(birth, slot, stream.next())


# Rendering in worker processes: a span of slots starts at a block boundary, so it draws from
# its own seeds and its postings are the ones the sequential stream makes for those slots.
_SPAN = 64 * _BLOCK
_WORKER: dict[str, _Renderer] = {}


def _rendered_in_processes(
    workers: int, groups: list[tuple[int, int]], *renderer: Any
) -> Iterator[tuple[Any, Any]]:
    """``_rendered_here``, rendered and serialized by ``workers`` processes, each posting as an
    ``orjson.Fragment``. At most two spans per process are in flight (memory stays bounded);
    spans come back in slot order. ``renderer``: the ``_Renderer`` arguments.

    The processes are forked: they start at once with this module's tables already built, and
    do not import the caller's main module again (spawn and forkserver would: the Dagster run
    or the CLI). They only run the pure-Python rendering, so they touch no lock that another
    thread of this process (a gzip writer, Dagster's) may hold at the fork."""
    spans = (
        (birth, a, min(a + _SPAN, count)) for birth, count in groups for a in range(0, count, _SPAN)
    )
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=renderer
    ) as pool:
        pending = deque(pool.submit(_render_span, *span) for span in islice(spans, 2 * workers))
        while pending:
            rendered = pending.popleft().result()
            following = next(spans, None)
            if following is not None:
                pending.append(pool.submit(_render_span, *following))
            for key, body in rendered:
                yield key, orjson.Fragment(body)


def _init_worker(*renderer: Any) -> None:
    _WORKER["renderer"] = _Renderer(*renderer)


def _render_span(birth: int, start: int, end: int) -> list[tuple[Any, bytes]]:
    renderer = _WORKER["renderer"]
    stream = renderer.stream(birth)
    stream.next_slot = start
    out: list[tuple[Any, bytes]] = []
    for slot in range(start, end):
        key, job = renderer.render(birth, slot, stream.next())
        out.append((key, orjson.dumps(job)))
    return out


def cross_source_pairs(
    partition_date: dt.date,
    n_jsearch: int,
    seed: int = 0,
    mirror_boards: dict[str, list[dict[str, str]]] | None = None,
) -> list[tuple[str, str, str]]:
    """Ground truth for dedup tests: ``(jsearch job_id, board source, board posting id)`` for
    every JSearch posting of that day that mirrors a board posting (ids as strings)."""
    mb = DEFAULT_BOARDS if mirror_boards is None else mirror_boards
    fetch_end = _day_end_ts(partition_date)
    mirrors = _MirrorBoards(seed, mb)
    groups = _day_groups(partition_date, _jsearch_unique(n_jsearch))
    out = []
    for birth, slot, core in _cores(seed, "jsearch", groups, None, None):
        job, _family, pair = _jsearch_job(birth, slot, core, fetch_end, mirrors)
        if pair is not None:
            out.append((str(job["job_id"]), pair[0], pair[1]))
    return out


# --------------------------------------------------------------------------------------------
# Glassdoor
# --------------------------------------------------------------------------------------------

_SIMILAR_SUFFIXES = ["Group", "Holdings", "Consulting", "International", "Solutions", "Inc"]


def _glassdoor_company(name: str, company: dict[str, Any], rng: Random) -> dict[str, Any]:
    r = rng.random
    cid = 100_000 + _stable_hash(name) % 9_000_000
    slug = name.replace(" ", "-")
    n_chars = len(name)
    rating = round(2.5 + 2.3 * r(), 1)

    def sub() -> float:
        return round(min(5.0, max(1.0, rating + (r() - 0.5) * 1.2)), 1)

    return {
        "company_id": cid,
        "name": name,
        "company_link": f"https://www.glassdoor.com/Overview/Working-at-{slug}-EI_IE{cid}.11,"
        f"{11 + n_chars}.htm",
        "rating": rating,
        "review_count": int(10 + r() * 4000),
        "salary_count": int(5 + r() * 3000),
        "job_count": int(r() * 300),
        "headquarters_location": f"{company['hq_city']}, {company['hq_country']}",
        "logo": f"https://media.glassdoor.com/sql/{cid}/{_slug(name)}-squarelogo.png",
        "company_size": company["size"],
        "company_size_category": company["size_category"],
        "company_description": f"{name} {company['blurb']}.",
        "industry": company["industry"],
        "website": company["website"] if r() < 0.9 else None,
        "company_type": "Company - Private" if r() < 0.8 else "Company - Public",
        "revenue": "Unknown / Non-Applicable" if r() < 0.5 else "$25 to $100 million (USD)",
        "business_outlook_rating": round(0.3 + 0.6 * r(), 2),
        "career_opportunities_rating": sub(),
        "ceo": None,
        "ceo_rating": round(0.5 * r() + 0.5, 2) if r() < 0.7 else 0,
        "compensation_and_benefits_rating": sub(),
        "culture_and_values_rating": sub(),
        "diversity_and_inclusion_rating": sub(),
        "recommend_to_friend_rating": round(0.3 + 0.65 * r(), 2),
        "senior_management_rating": sub(),
        "work_life_balance_rating": sub(),
        "stock": None,
        "year_founded": company["founded"],
        "reviews_link": f"https://www.glassdoor.com/Reviews/{slug}-Reviews-E{cid}.htm",
        "jobs_link": f"https://www.glassdoor.com/Jobs/{slug}-Jobs-E{cid}.htm",
        "faq_link": f"https://www.glassdoor.com/FAQ/{slug}-Questions-E{cid}.htm",
        "competitors": [],
        "office_locations": [{"city": company["hq_city"], "country": company["hq_country"]}],
        "best_places_to_work_awards": [],
    }


def generate_company_search(company_name: str, seed: int = 0) -> dict[str, Any]:
    """A Glassdoor ``/company-search?query=<name>`` body, deterministic per (name, seed).

    About 8% of names are not found (empty ``data``); about 30% return 2-3 hits whose extra
    names extend the queried name ("<name> Group", ...); hits are ordered by review_count."""
    rng = Random(_stable_hash(company_name.strip().lower()) * 7919 + seed)
    company = _company_for(company_name)
    u = rng.random()
    data: list[dict[str, Any]] = []
    if u >= 0.08:
        data.append(_glassdoor_company(company["name"], company, rng))
        if u >= 0.7:
            for k in range(1 + int(rng.random() * 2)):
                other = f"{company['name']} {_SIMILAR_SUFFIXES[(int(u * 100) + k) % 6]}"
                data.append(_glassdoor_company(other, _synth_company(other), rng))
            data.sort(key=lambda h: -h["review_count"])
    return {
        "status": "OK",
        "request_id": _uuid(rng),
        "parameters": {"query": company_name, "domain": "www.glassdoor.com", "limit": 10},
        "data": data,
    }


def _glassdoor_response(name: str, seed: int) -> GeneratedResponse:
    body = generate_company_search(name, seed)
    return GeneratedResponse("/company-search", dict(body["parameters"]), body, None, None, name)
