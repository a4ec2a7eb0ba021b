"""``jobs campaign ...``: list, show, add, edit, (de)activate and draft campaigns from a résumé.

Edits go to the user's copy (``get_paths().user_campaigns_path``; the shipped default is copied on
the first change), are validated with ``parse_campaigns`` before an atomic save, and are recorded
in the store's history.
"""

from __future__ import annotations

import copy
import difflib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from job_assets.applications.store import ApplicationStore
from job_assets.cli.data import CliError
from job_assets.ranking.campaigns import (
    CampaignError,
    CampaignsConfig,
    _Yaml12BoolLoader,
    default_campaigns_path,
    load_campaigns,
    parse_campaigns,
    taxonomy_skill_names,
)
from job_assets.settings import get_paths
from job_assets.storage import atomic_path

console = Console()
campaign_app = typer.Typer(
    help="List, show and edit your job-search campaigns.", no_args_is_help=True
)

_HEADER = (
    "# Your campaigns, edited with `jobs campaign ...` (the shipped default lives in\n"
    "# taxonomy_config/campaigns.yml; see its comments for every key).\n"
)


def _yaml_load(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_Yaml12BoolLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        raise CliError(f"{source}: invalid YAML: {exc}".replace("\n", " "), code=2) from None


def load_doc() -> dict[str, Any]:
    """The campaigns file in force, as plain YAML data."""
    path = default_campaigns_path()
    if not path.exists():
        raise CliError(f"no campaigns file at {path}")
    doc = _yaml_load(path.read_text(encoding="utf-8"), path.name)
    if not isinstance(doc, dict) or not isinstance(doc.get("campaigns"), list):
        raise CliError(f"{path} has no 'campaigns' list; fix it or delete it to use the default")
    return doc


def load_config() -> CampaignsConfig:
    return load_campaigns(default_campaigns_path())


def _find(doc: dict[str, Any], campaign_id: str) -> int:
    ids = [str(c.get("id")) for c in doc["campaigns"] if isinstance(c, dict)]
    for i, c in enumerate(doc["campaigns"]):
        if isinstance(c, dict) and str(c.get("id")) == campaign_id:
            return i
    raise CliError(unknown_campaign(campaign_id, ids), code=2)


def unknown_campaign(campaign_id: str, ids: list[str]) -> str:
    close = difflib.get_close_matches(campaign_id, ids, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(ids)})"
    return f"unknown campaign '{campaign_id}'{hint}"


def save_doc(
    doc: dict[str, Any], kind: str, campaign_id: str, before: Any, after: Any
) -> CampaignsConfig:
    """Validate ``doc``, write it atomically to the user's campaigns file, record the change."""
    target = get_paths().user_campaigns_path
    cfg = parse_campaigns(doc, taxonomy_skill_names(), source=target.name)
    text = _HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    ApplicationStore().record_event(
        f"campaign_{kind}", payload={"campaign_id": campaign_id, "before": before, "after": after}
    )
    return cfg


def _parse_skill(spec: str) -> str | dict[str, Any]:
    parts = [p.strip() for p in spec.split(":")]
    name, weight, must = parts[0], None, False
    if not name:
        raise CliError(f"bad --skill '{spec}': use NAME[:WEIGHT][:must]", code=2)
    for part in parts[1:]:
        if part.lower() in ("must", "must_have", "required"):
            must = True
        else:
            try:
                weight = float(part)
            except ValueError:
                raise CliError(f"bad --skill '{spec}': use NAME[:WEIGHT][:must]", code=2) from None
    if weight is None and not must:
        return name
    out: dict[str, Any] = {"name": name}
    if weight is not None:
        out["weight"] = int(weight) if weight.is_integer() else weight
    if must:
        out["must_have"] = True
    return out


def _parse_location(spec: str) -> dict[str, str]:
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > 3 or not any(parts):
        raise CliError(f"bad --location '{spec}': use CITY,REGION,COUNTRY (e.g. Toronto,ON,CA)", 2)
    return {k: v for k, v in zip(("city", "region", "country"), parts, strict=False) if v}


def _apply_options(item: dict[str, Any], opts: dict[str, Any], reporting: str) -> dict[str, Any]:
    """Overlay the command-line options that were given on a campaign mapping."""
    out = dict(item)
    if opts.get("name"):
        out["name"] = opts["name"]
    if opts.get("titles"):
        out["titles"] = list(opts["titles"])
    if opts.get("skills"):
        out["skills"] = [_parse_skill(s) for s in opts["skills"]]
    if opts.get("locations"):
        out["locations"] = [_parse_location(s) for s in opts["locations"]]
    if opts.get("remote"):
        out["remote"] = list(opts["remote"])
    if opts.get("seniority"):
        out["seniority"] = list(opts["seniority"])
    if opts.get("min_score") is not None:
        ms = opts["min_score"]
        out["min_score"] = int(ms) if float(ms).is_integer() else ms
    if any(opts.get(k) is not None for k in ("salary_floor", "salary_target", "currency")):
        salary = dict(out.get("salary") or {})
        if opts.get("salary_floor") is not None:
            salary["floor"] = opts["salary_floor"]
        if opts.get("salary_target") is not None:
            salary["target"] = opts["salary_target"]
        salary["currency"] = (opts.get("currency") or salary.get("currency") or reporting).upper()
        out["salary"] = salary
    return out


def _options(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v not in (None, [], ())}


# Options shared by add and edit.
NameOpt = Annotated[str | None, typer.Option("--name", help="Human name shown in digests.")]
TitleOpt = Annotated[list[str] | None, typer.Option("--title", help="Wanted title (repeat).")]
SkillOpt = Annotated[
    list[str] | None, typer.Option("--skill", help="NAME[:WEIGHT][:must], e.g. Python:2:must.")
]
LocationOpt = Annotated[
    list[str] | None, typer.Option("--location", help="CITY,REGION,COUNTRY, e.g. Toronto,ON,CA.")
]
RemoteOpt = Annotated[
    list[str] | None, typer.Option("--remote", help="remote|hybrid|onsite (repeat).")
]
FloorOpt = Annotated[int | None, typer.Option("--salary-floor", help="Yearly floor.")]
TargetOpt = Annotated[int | None, typer.Option("--salary-target", help="Yearly target.")]
CurrencyOpt = Annotated[str | None, typer.Option("--currency", help="Salary currency (ISO).")]
SeniorityOpt = Annotated[
    list[str] | None, typer.Option("--seniority", help="junior|mid|senior|... (repeat).")
]
MinScoreOpt = Annotated[float | None, typer.Option("--min-score", help="0-100 digest cut-off.")]


@campaign_app.command("list")
def list_campaigns() -> None:
    """Every campaign with its main preferences."""
    cfg = load_config()
    table = Table(title=f"Campaigns ({default_campaigns_path()})", title_justify="left")
    for col in ("id", "name", "active", "titles", "skills", "salary", "min score"):
        table.add_column(col, overflow="fold")
    for c in cfg.campaigns:
        salary = (
            f"{c.salary.floor or '?'}–{c.salary.target or '?'} {c.salary.currency}"
            if c.salary
            else "—"
        )
        table.add_row(
            Text(c.id, style="bold"),
            Text(c.name),
            Text("yes", style="green") if c.active else Text("no", style="dim"),
            Text(", ".join(c.titles) or "—"),
            Text(", ".join(s.name + ("*" if s.must_have else "") for s in c.skills) or "—"),
            Text(salary),
            Text(f"{c.min_score:g}"),
        )
    console.print(table)
    console.print("[dim]* must-have skill[/]")


@campaign_app.command("show")
def show_campaign(campaign_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """One campaign as YAML."""
    doc = load_doc()
    item = doc["campaigns"][_find(doc, campaign_id)]
    text = yaml.safe_dump(item, sort_keys=False, allow_unicode=True, width=100)
    console.print(Syntax(text, "yaml", theme="ansi_dark", background_color="default"))


@campaign_app.command("add")
def add_campaign(
    campaign_id: Annotated[str | None, typer.Option("--id", help="Unique slug.")] = None,
    name: NameOpt = None,
    title: TitleOpt = None,
    skill: SkillOpt = None,
    location: LocationOpt = None,
    remote: RemoteOpt = None,
    salary_floor: FloorOpt = None,
    salary_target: TargetOpt = None,
    currency: CurrencyOpt = None,
    seniority: SeniorityOpt = None,
    min_score: MinScoreOpt = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Add it switched off.")] = False,
    from_file: Annotated[
        Path | None, typer.Option("--from-file", help="YAML with one campaign mapping.")
    ] = None,
) -> None:
    """Add a campaign from options or a YAML file."""
    doc = load_doc()
    base: dict[str, Any] = {}
    if from_file is not None:
        if not from_file.exists():
            raise CliError(f"no such file: {from_file}", code=2)
        items = _campaign_items(_yaml_load(from_file.read_text(encoding="utf-8"), from_file.name))
        if len(items) != 1:
            raise CliError(f"{from_file} must hold exactly one campaign", code=2)
        base = items[0]
    if campaign_id:
        base["id"] = campaign_id
    if not base.get("id"):
        raise CliError("a campaign needs --id (lowercase letters, digits, '-' or '_')", code=2)
    opts = _options(
        name=name, titles=title, skills=skill, locations=location, remote=remote,
        salary_floor=salary_floor, salary_target=salary_target, currency=currency,
        seniority=seniority, min_score=min_score,
    )  # fmt: skip
    item = _apply_options(base, opts, str(doc.get("reporting_currency") or "CAD"))
    item = {"id": item["id"], "name": item.get("name") or item["id"], **item}
    item["active"] = not inactive if inactive else item.get("active", True)
    _add_items(doc, [item])
    console.print(f"[green]added campaign[/] [bold]{item['id']}[/]")


def _campaign_items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("campaigns"), list):
        data = data["campaigns"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise CliError("expected a campaign mapping (or a 'campaigns' list)", code=2)
    return [dict(d) for d in data]


def _add_items(doc: dict[str, Any], items: list[dict[str, Any]]) -> None:
    existing = {str(c.get("id")) for c in doc["campaigns"] if isinstance(c, dict)}
    for item in items:
        if str(item.get("id")) in existing:
            raise CliError(f"campaign '{item['id']}' already exists: use `jobs campaign edit`", 2)
    new = copy.deepcopy(doc)
    new["campaigns"].extend(items)
    for item in items:
        save_doc(new, "add", str(item["id"]), None, item)


@campaign_app.command("edit")
def edit_campaign(
    campaign_id: Annotated[str, typer.Argument(metavar="ID")],
    name: NameOpt = None,
    title: TitleOpt = None,
    skill: SkillOpt = None,
    location: LocationOpt = None,
    remote: RemoteOpt = None,
    salary_floor: FloorOpt = None,
    salary_target: TargetOpt = None,
    currency: CurrencyOpt = None,
    seniority: SeniorityOpt = None,
    min_score: MinScoreOpt = None,
) -> None:
    """Change a campaign: options replace those fields; with no options, opens $EDITOR."""
    doc = load_doc()
    idx = _find(doc, campaign_id)
    before = copy.deepcopy(doc["campaigns"][idx])
    opts = _options(
        name=name, titles=title, skills=skill, locations=location, remote=remote,
        salary_floor=salary_floor, salary_target=salary_target, currency=currency,
        seniority=seniority, min_score=min_score,
    )  # fmt: skip
    if opts:
        after = _apply_options(before, opts, str(doc.get("reporting_currency") or "CAD"))
    else:
        text = yaml.safe_dump(before, sort_keys=False, allow_unicode=True, width=100)
        edited = _edit_text(text, campaign_id)
        if edited.strip() == text.strip():
            console.print("[yellow]no changes[/]")
            return
        items = _campaign_items(_yaml_load(edited, f"{campaign_id}.yml"))
        if len(items) != 1:
            raise CliError("the edited text must hold exactly one campaign", code=2)
        after = items[0]
    new = copy.deepcopy(doc)
    new["campaigns"][idx] = after
    save_doc(new, "edit", str(after.get("id", campaign_id)), before, after)
    console.print(f"[green]saved campaign[/] [bold]{after.get('id', campaign_id)}[/]")


def _edit_text(text: str, name: str) -> str:
    """Open ``$VISUAL``/``$EDITOR`` (default ``vi``) on ``text``; return what was saved."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.yml"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise CliError(f"cannot start editor '{editor}': {exc}; set $EDITOR") from None
        if done.returncode != 0:
            raise CliError(f"editor '{editor}' exited with {done.returncode}; nothing saved")
        return path.read_text(encoding="utf-8")


def _set_active(campaign_id: str, active: bool) -> None:
    doc = load_doc()
    idx = _find(doc, campaign_id)
    before = copy.deepcopy(doc["campaigns"][idx])
    if before.get("active", True) is active:
        console.print(f"campaign {campaign_id} is already {'active' if active else 'inactive'}")
        return
    new = copy.deepcopy(doc)
    new["campaigns"][idx]["active"] = active
    kind = "activate" if active else "deactivate"
    save_doc(new, kind, campaign_id, before, new["campaigns"][idx])
    state = "[green]active[/]" if active else "[yellow]inactive[/]"
    console.print(f"campaign [bold]{campaign_id}[/] is now {state}")


@campaign_app.command("activate")
def activate(campaign_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Rank and search for this campaign again."""
    _set_active(campaign_id, True)


@campaign_app.command("deactivate")
def deactivate(campaign_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Keep the campaign but stop ranking and searching for it."""
    _set_active(campaign_id, False)


@campaign_app.command("from-cv")
def from_cv(
    file: Annotated[Path, typer.Argument(help="Résumé: PDF, text or Markdown.")],
    save: Annotated[bool, typer.Option("--save", help="Add the draft to your campaigns.")] = False,
) -> None:
    """Draft a campaign from your résumé; print it, or add it with --save."""
    if not file.exists():
        raise CliError(f"no such file: {file}", code=2)
    try:
        from job_assets.ranking.resume import draft_campaign
    except ImportError:
        raise CliError(
            "drafting from a résumé is not available (job_assets.ranking.resume)"
        ) from None
    try:
        text = draft_campaign(file)
    except ValueError as exc:
        raise CliError(str(exc), code=2) from None
    console.print(Syntax(text, "yaml", theme="ansi_dark", background_color="default"))
    if save:
        items = _campaign_items(_yaml_load(text, "draft"))
        _add_items(load_doc(), items)
        console.print(f"[green]added campaign[/] [bold]{', '.join(i['id'] for i in items)}[/]")
    else:
        console.print("[dim]add it with --save, then tune it with `jobs campaign edit`[/]")


__all__ = ["campaign_app", "CampaignError", "load_config", "unknown_campaign"]
