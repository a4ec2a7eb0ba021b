"""Run summaries for webhooks: the data model, the one-line text and Slack / Teams / JSON payloads.

Pure module (no Dagster, no I/O). The lead's run-status sensors fill a :class:`RunSummary`;
:mod:`job_assets.notify.webhook` turns it into one payload per target URL.

Target flavor selection (one scheme, documented here and in :func:`flavor_for_url`):

* an explicit ``<flavor>+`` prefix wins: ``slack+https://...``, ``teams+https://...``,
  ``json+http://...``. The prefix is stripped before the request is sent;
* otherwise the host decides: ``hooks.slack.com`` -> ``slack``; ``*.webhook.office.com``,
  ``*.logic.azure.com`` and ``*.api.powerplatform.com`` (Teams Workflows) -> ``teams``;
* anything else -> ``json`` (the structured summary plus ``text``).

Match scores are on the ranking's 0-100 scale and are shown rounded to whole numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

FLAVORS: tuple[str, ...] = ("slack", "teams", "json")
STAGE_ORDER: tuple[str, ...] = (
    "fetched",
    "normalized",
    "quarantined",
    "unique",
    "ranked",
    "exported",
)
STATUS_WORDS: dict[str, tuple[str, str, str]] = {
    # status -> (icon, verb, duration preposition)
    "SUCCESS": ("✅", "succeeded", "in"),
    "FAILURE": ("❌", "failed", "after"),
    "CANCELED": ("⚠️", "was canceled", "after"),
}
MAX_MATCHES_IN_WEBHOOK = 10
MAX_LISTED_PROBLEMS = 5


@dataclass(frozen=True)
class TopMatch:
    """One ranked posting for one campaign (score on a 0-100 scale)."""

    campaign_id: str
    campaign_name: str
    title: str
    company_name: str
    score: float
    reasons: list[str]
    apply_url: str
    location: str
    salary_text: str | None
    missing_skill: str | None
    job_id: str


@dataclass(frozen=True)
class RunSummary:
    """What happened in one Dagster run, in plain values."""

    run_id: str
    job_name: str
    status: str  # "SUCCESS" | "FAILURE" | "CANCELED"
    partitions: list[str]
    started_at: datetime | None
    ended_at: datetime | None
    stage_counts: dict[str, int]
    failed_checks: list[dict[str, str]] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    source_failures: list[str] = field(default_factory=list)
    top_matches: list[TopMatch] = field(default_factory=list)
    is_backfill: bool = False
    backfill_id: str | None = None
    dagster_url: str | None = None

    @property
    def duration_s(self) -> float | None:
        """Wall-clock seconds between start and end, or None when either is unknown."""
        if self.started_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.started_at).total_seconds())


# --------------------------------------------------------------------------- formatting helpers


def format_duration(seconds: float | None) -> str:
    """Human duration: ``0s``, ``42s``, ``1m 12s``, ``2h 03m``, ``1d 4h``; empty for None."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    total = max(0, int(round(seconds)))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def format_partitions(partitions: list[str]) -> str:
    """``2026-11-22`` for one partition, ``first … last (N partitions)`` for several."""
    unique = sorted({p for p in partitions if p})
    if not unique:
        return ""
    if len(unique) == 1:
        return unique[0]
    return f"{unique[0]} … {unique[-1]} ({len(unique)} partitions)"


def format_count(value: int | float) -> str:
    """Thousands separators: ``1,234``."""
    return f"{int(value):,}"


def format_stage_counts(stage_counts: dict[str, int]) -> str:
    """``fetched 1,234 → normalized 1,200 → …`` in pipeline order (unknown stages appended)."""
    keys = [k for k in STAGE_ORDER if k in stage_counts]
    keys += sorted(k for k in stage_counts if k not in STAGE_ORDER)
    return " → ".join(f"{k} {format_count(stage_counts[k])}" for k in keys)


def format_score(score: float) -> str:
    """Scores are shown as whole numbers (0-100 scale)."""
    return str(int(round(score))) if math.isfinite(score) else "?"


def _job_label(job_name: str) -> str:
    return job_name.replace("_", " ").strip() or "run"


def _problem_clauses(summary: RunSummary) -> list[str]:
    clauses: list[str] = []
    if summary.failed_steps:
        clauses.append(f"failed steps: {_short_list(summary.failed_steps)}")
    if summary.failed_checks:
        n = len(summary.failed_checks)
        clauses.append(f"{n} failed check{'s' if n != 1 else ''}")
    if summary.source_failures:
        clauses.append(f"source failures: {_short_list(summary.source_failures)}")
    return clauses


def _short_list(items: list[str], limit: int = MAX_LISTED_PROBLEMS) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def summary_text(summary: RunSummary) -> str:
    """The one-line summary every flavor carries as ``text``.

    Example: ``✅ job-lakehouse daily run 2026-11-22 succeeded in 1m 12s: fetched 1,234 →
    normalized 1,200 → quarantined 34 → unique 900 → ranked 9,000 → exported 9,000``.
    Underscores in the job name become spaces; backfills say ``backfill`` before the range.
    """
    icon, verb, prep = STATUS_WORDS.get(summary.status, ("ℹ️", summary.status.lower(), "after"))
    parts = [icon, "job-lakehouse", _job_label(summary.job_name)]
    partition_text = format_partitions(summary.partitions)
    if summary.is_backfill:
        parts.append("backfill")
    if partition_text:
        parts.append(partition_text)
    parts.append(verb)
    duration = format_duration(summary.duration_s)
    if duration:
        parts += [prep, duration]
    line = " ".join(parts)
    counts = format_stage_counts(summary.stage_counts)
    if counts:
        line += f": {counts}"
    problems = _problem_clauses(summary)
    if problems:
        line += "; " + "; ".join(problems)
    return line


# --------------------------------------------------------------------------- flavor selection


def split_flavor(url: str) -> tuple[str, str]:
    """Return ``(flavor, url_to_post)``; strips an explicit ``<flavor>+`` prefix if present."""
    raw = url.strip()
    head, sep, rest = raw.partition("+")
    if sep and head.lower() in FLAVORS and "://" in rest and "/" not in head:
        return head.lower(), rest
    return _flavor_from_host(raw), raw


def flavor_for_url(url: str) -> str:
    """``slack`` / ``teams`` / ``json`` for a target URL (see module docstring for the rules)."""
    return split_flavor(url)[0]


def _flavor_from_host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return "json"
    if host == "hooks.slack.com":
        return "slack"
    teams_suffixes = ("webhook.office.com", "logic.azure.com", "api.powerplatform.com")
    if any(host == s or host.endswith("." + s) for s in teams_suffixes):
        return "teams"
    return "json"


# --------------------------------------------------------------------------- payloads


def build_webhook_payload(summary: RunSummary, flavor: str) -> dict[str, Any]:
    """JSON-serialisable payload for ``flavor`` ("slack", "teams" or "json"); all carry ``text``."""
    if flavor == "slack":
        return _slack_payload(summary)
    if flavor == "teams":
        return _teams_payload(summary)
    if flavor == "json":
        return _json_payload(summary)
    raise ValueError(f"unknown webhook flavor {flavor!r}; expected one of {FLAVORS}")


def _facts(summary: RunSummary) -> list[tuple[str, str]]:
    facts = [("Status", summary.status), ("Job", summary.job_name)]
    partition_text = format_partitions(summary.partitions)
    if partition_text:
        facts.append(("Partitions", partition_text))
    duration = format_duration(summary.duration_s)
    if duration:
        facts.append(("Duration", duration))
    if summary.is_backfill:
        facts.append(("Backfill", summary.backfill_id or "yes"))
    facts.append(("Run", summary.run_id))
    return facts


def _problem_lines(summary: RunSummary) -> list[str]:
    lines = [f"Failed step: {s}" for s in summary.failed_steps[:MAX_LISTED_PROBLEMS]]
    for chk in summary.failed_checks[:MAX_LISTED_PROBLEMS]:
        msg = chk.get("message") or ""
        lines.append(
            f"Failed check: {chk.get('asset', '?')} / {chk.get('check', '?')}"
            + (f" — {msg}" if msg else "")
        )
    lines += [f"Source failure: {s}" for s in summary.source_failures[:MAX_LISTED_PROBLEMS]]
    hidden = (
        max(0, len(summary.failed_steps) - MAX_LISTED_PROBLEMS)
        + max(0, len(summary.failed_checks) - MAX_LISTED_PROBLEMS)
        + max(0, len(summary.source_failures) - MAX_LISTED_PROBLEMS)
    )
    if hidden:
        lines.append(f"… and {hidden} more")
    return lines


def _top(summary: RunSummary) -> list[TopMatch]:
    ranked = sorted(summary.top_matches, key=lambda m: m.score, reverse=True)
    return ranked[:MAX_MATCHES_IN_WEBHOOK]


def _is_web_url(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


# ---- Slack


def slack_escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str | None, label: str) -> str:
    """``<url|label>`` (label escaped, ``|`` removed); plain escaped label for non-web URLs."""
    safe_label = slack_escape(label).replace("|", "¦")
    if not _is_web_url(url):
        return safe_label
    safe_url = str(url).replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe_url}|{safe_label}>"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _match_line_slack(m: TopMatch) -> str:
    bits = [f"*{format_score(m.score)}* {slack_link(m.apply_url, m.title)}"]
    bits.append(f"{slack_escape(m.company_name)}")
    if m.location:
        bits.append(slack_escape(m.location))
    if m.salary_text:
        bits.append(slack_escape(m.salary_text))
    line = "• " + " · ".join(bits) + f" _({slack_escape(m.campaign_name)})_"
    if m.reasons:
        line += f"\n    {slack_escape('; '.join(m.reasons[:2]))}"
    return line


def _slack_payload(summary: RunSummary) -> dict[str, Any]:
    text = summary_text(summary)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(slack_escape(text), 3000)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{title}*\n{slack_escape(value)}"}
                for title, value in _facts(summary)
            ][:10],
        },
    ]
    if summary.stage_counts:
        keys = [k for k in STAGE_ORDER if k in summary.stage_counts]
        keys += sorted(k for k in summary.stage_counts if k not in STAGE_ORDER)
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {
                        "type": "mrkdwn",
                        "text": f"*{slack_escape(k)}*\n{format_count(summary.stage_counts[k])}",
                    }
                    for k in keys
                ][:10],
            }
        )
    problems = _problem_lines(summary)
    if problems:
        body = "\n".join(f"• {slack_escape(p)}" for p in problems)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, 3000)}})
    matches = _top(summary)
    if matches:
        body = "*Top matches*\n" + "\n".join(_match_line_slack(m) for m in matches)
        blocks.append({"type": "divider"})
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, 3000)}})
    if _is_web_url(summary.dagster_url):
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": slack_link(summary.dagster_url, "Open run in Dagster"),
                    }
                ],
            }
        )
    return {"text": text, "blocks": blocks}


# ---- Teams


def _md_escape(text: str) -> str:
    """Neutralise the Markdown subset Adaptive Cards render in TextBlocks."""
    out = text
    for ch in ("\\", "[", "]", "(", ")", "*", "_", "`"):
        out = out.replace(ch, "\\" + ch)
    return out


def _match_block_teams(m: TopMatch) -> dict[str, Any]:
    title = _md_escape(m.title)
    head = f"[{title}]({m.apply_url})" if _is_web_url(m.apply_url) else title
    bits = [f"**{format_score(m.score)}** {head}", _md_escape(m.company_name)]
    if m.location:
        bits.append(_md_escape(m.location))
    if m.salary_text:
        bits.append(_md_escape(m.salary_text))
    text = " · ".join(bits) + f" ({_md_escape(m.campaign_name)})"
    if m.reasons:
        text += "\n\n" + _md_escape("; ".join(m.reasons[:2]))
    return {"type": "TextBlock", "text": text, "wrap": True, "spacing": "Small"}


def _teams_payload(summary: RunSummary) -> dict[str, Any]:
    text = summary_text(summary)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": text, "wrap": True, "weight": "Bolder", "size": "Medium"},
        {
            "type": "FactSet",
            "facts": [{"title": t, "value": v} for t, v in _facts(summary)],
        },
    ]
    if summary.stage_counts:
        keys = [k for k in STAGE_ORDER if k in summary.stage_counts]
        keys += sorted(k for k in summary.stage_counts if k not in STAGE_ORDER)
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": k, "value": format_count(summary.stage_counts[k])} for k in keys
                ],
            }
        )
    problems = _problem_lines(summary)
    if problems:
        body.append(
            {
                "type": "TextBlock",
                "text": "\n\n".join(_md_escape(p) for p in problems),
                "wrap": True,
                "color": "Attention",
            }
        )
    matches = _top(summary)
    if matches:
        body.append(
            {"type": "TextBlock", "text": "Top matches", "weight": "Bolder", "separator": True}
        )
        body += [_match_block_teams(m) for m in matches]
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if _is_web_url(summary.dagster_url):
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open run in Dagster", "url": summary.dagster_url}
        ]
    return {
        "type": "message",
        "text": text,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }


# ---- JSON


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def match_to_dict(m: TopMatch) -> dict[str, Any]:
    """Plain dict of a :class:`TopMatch` (lists copied)."""
    return {
        "campaign_id": m.campaign_id,
        "campaign_name": m.campaign_name,
        "job_id": m.job_id,
        "title": m.title,
        "company_name": m.company_name,
        "score": float(m.score),
        "reasons": list(m.reasons),
        "apply_url": m.apply_url,
        "location": m.location,
        "salary_text": m.salary_text,
        "missing_skill": m.missing_skill,
    }


def _json_payload(summary: RunSummary) -> dict[str, Any]:
    return {
        "schema": "job-lakehouse/run-summary/v1",
        "text": summary_text(summary),
        "run_id": summary.run_id,
        "job_name": summary.job_name,
        "status": summary.status,
        "partitions": list(summary.partitions),
        "partition_range": format_partitions(summary.partitions) or None,
        "started_at": _iso(summary.started_at),
        "ended_at": _iso(summary.ended_at),
        "duration_s": summary.duration_s,
        "stage_counts": {k: int(v) for k, v in summary.stage_counts.items()},
        "failed_checks": [dict(c) for c in summary.failed_checks],
        "failed_steps": list(summary.failed_steps),
        "source_failures": list(summary.source_failures),
        "top_matches": [match_to_dict(m) for m in _top(summary)],
        "is_backfill": summary.is_backfill,
        "backfill_id": summary.backfill_id,
        "dagster_url": summary.dagster_url,
    }
