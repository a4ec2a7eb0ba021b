"""Email digests of new matches per campaign: build (pure) and send over one SMTP connection.

Configuration (``SmtpSettings.from_env``): ``JOBS_SMTP_HOST`` (unset -> email disabled),
``JOBS_SMTP_PORT`` (default 587 / 465 / 25 for starttls / ssl / none), ``JOBS_SMTP_USER``,
``JOBS_SMTP_PASSWORD``, ``JOBS_SMTP_FROM`` (default: the user, else ``job-lakehouse@localhost``),
``JOBS_SMTP_SECURITY`` = ``starttls`` (default) | ``ssl`` | ``none``, ``JOBS_SMTP_TIMEOUT``
(seconds, default 30).

Sending never raises for delivery problems: every recipient gets a :class:`DigestResult`, and the
password never appears in results, log lines or exception text.
"""

from __future__ import annotations

import copy
import html
import logging
import os
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from job_assets.notify.summary import TopMatch, format_score

logger = logging.getLogger(__name__)

SECURITY_MODES: tuple[str, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_SENDER = "job-lakehouse@localhost"


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. ``password`` and ``tls_context`` are hidden from repr."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = DEFAULT_SENDER
    use_ssl: bool = False
    starttls: bool = True
    timeout: float = 30.0
    # Custom TLS context (e.g. a private CA); None -> ssl.create_default_context().
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    @property
    def security(self) -> str:
        return "ssl" if self.use_ssl else ("starttls" if self.starttls else "none")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SmtpSettings | None:
        """Read ``JOBS_SMTP_*``; None when ``JOBS_SMTP_HOST`` is unset or blank.

        Raises ``ValueError`` for an unknown ``JOBS_SMTP_SECURITY`` or a non-numeric port.
        """
        env = os.environ if environ is None else environ
        host = env.get("JOBS_SMTP_HOST", "").strip()
        if not host:
            return None
        security = (env.get("JOBS_SMTP_SECURITY", "").strip().lower()) or "starttls"
        if security not in SECURITY_MODES:
            raise ValueError(
                f"JOBS_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, got {security!r}"
            )
        port_text = env.get("JOBS_SMTP_PORT", "").strip()
        try:
            port = int(port_text) if port_text else DEFAULT_PORTS[security]
        except ValueError:
            raise ValueError(f"JOBS_SMTP_PORT must be an integer, got {port_text!r}") from None
        timeout_text = env.get("JOBS_SMTP_TIMEOUT", "").strip()
        username = env.get("JOBS_SMTP_USER", "").strip() or None
        sender = env.get("JOBS_SMTP_FROM", "").strip() or (
            username if username and "@" in username else DEFAULT_SENDER
        )
        return cls(
            host=host,
            port=port,
            username=username,
            password=env.get("JOBS_SMTP_PASSWORD") or None,
            sender=sender,
            use_ssl=security == "ssl",
            starttls=security == "starttls",
            timeout=float(timeout_text) if timeout_text else 30.0,
        )


@dataclass(frozen=True)
class DigestResult:
    """Delivery outcome for one recipient of one digest."""

    subject: str
    recipient: str
    delivered: bool
    error: str | None = None


# --------------------------------------------------------------------------- build


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _is_web_url(url: str | None) -> bool:
    return bool(url) and str(url).strip().lower().startswith(("https://", "http://"))


def select_matches(matches: Iterable[TopMatch], min_score: float, top_n: int) -> list[TopMatch]:
    """Matches with ``score >= min_score``, best first, one per ``job_id``, at most ``top_n``."""
    best: dict[str, TopMatch] = {}
    for m in matches:  # a campaign's candidate list: tens of rows, not the posting table
        if m.score >= min_score and (m.job_id not in best or m.score > best[m.job_id].score):
            best[m.job_id] = m
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.title, m.job_id))
    return ranked[: max(0, top_n)]


def digest_subject(campaign_name: str, matches: list[TopMatch]) -> str:
    """``3 new matches for Data Engineer Toronto (best 87)``."""
    n = len(matches)
    noun = "match" if n == 1 else "matches"
    best = format_score(max(m.score for m in matches))
    return f"{n} new {noun} for {_one_line(campaign_name)} (best {best})"


def _salary(m: TopMatch) -> str:
    return _one_line(m.salary_text) if m.salary_text else "Salary not listed"


def _plain_text(
    campaign_name: str, matches: list[TopMatch], reporting_currency: str, min_score: float
) -> str:
    lines = [
        f"New matches for {_one_line(campaign_name)} (score {format_score(min_score)}+)",
        "",
    ]
    for i, m in enumerate(matches, start=1):
        lines.append(f"{i}. {_one_line(m.title)} at {_one_line(m.company_name)}")
        lines.append(f"   Score: {format_score(m.score)}")
        lines.append(f"   Location: {_one_line(m.location) or 'Not listed'}")
        lines.append(f"   Salary: {_salary(m)}")
        for reason in m.reasons[:2]:
            lines.append(f"   + {_one_line(reason)}")
        if m.missing_skill:
            lines.append(f"   Missing skill: {_one_line(m.missing_skill)}")
        if _is_web_url(m.apply_url):
            lines.append(f"   Apply: {m.apply_url.strip()}")
        lines.append("")
    lines.append(f"Salaries are shown in {reporting_currency} where a conversion was possible.")
    lines.append("Sent by job-lakehouse.")
    return "\n".join(lines) + "\n"


def _html(
    campaign_name: str, matches: list[TopMatch], reporting_currency: str, min_score: float
) -> str:
    e = html.escape
    items: list[str] = []
    for m in matches:
        title = e(_one_line(m.title))
        head = (
            f'<a href="{e(m.apply_url.strip(), quote=True)}">{title}</a>'
            if _is_web_url(m.apply_url)
            else title
        )
        reasons = "".join(f"<li>{e(_one_line(r))}</li>" for r in m.reasons[:2])
        parts = [
            f'<h3 style="margin:0 0 4px 0">{head}</h3>',
            f'<p style="margin:0"><strong>{e(_one_line(m.company_name))}</strong>'
            f" · {e(_one_line(m.location) or 'Not listed')} · {e(_salary(m))}"
            f" · Score <strong>{e(format_score(m.score))}</strong></p>",
        ]
        if reasons:
            parts.append(f'<ul style="margin:4px 0">{reasons}</ul>')
        if m.missing_skill:
            parts.append(
                f'<p style="margin:0">Missing skill: <em>{e(_one_line(m.missing_skill))}</em></p>'
            )
        if _is_web_url(m.apply_url):
            parts.append(
                f'<p style="margin:4px 0"><a href="{e(m.apply_url.strip(), quote=True)}">'
                "Apply</a></p>"
            )
        items.append('<div style="margin:0 0 16px 0">' + "".join(parts) + "</div>")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family:sans-serif">'
        f"<h2>New matches for {e(_one_line(campaign_name))}"
        f" (score {e(format_score(min_score))}+)</h2>" + "".join(items) + '<p style="color:#666">'
        f"Salaries are shown in {e(reporting_currency)} where a conversion was possible."
        " Sent by job-lakehouse.</p></body></html>"
    )


def build_digest(
    campaign_name: str,
    matches: list[TopMatch],
    reporting_currency: str,
    min_score: float,
    top_n: int,
) -> EmailMessage | None:
    """A multipart/alternative (text + HTML) digest, or None when no match qualifies.

    Keeps matches with ``score >= min_score`` (best first, one per job, at most ``top_n``). Each
    lists title, company, location, salary, score, the first two reasons (assumed strongest
    first), the main missing skill and the apply link. Subject is set; From / To / Date /
    Message-ID are left to :func:`send_digests`.
    """
    chosen = select_matches(matches, min_score, top_n)
    if not chosen:
        return None
    msg = EmailMessage()
    msg["Subject"] = digest_subject(campaign_name, chosen)
    msg.set_content(
        _plain_text(campaign_name, chosen, reporting_currency, min_score),
        cte="quoted-printable",
    )
    msg.add_alternative(
        _html(campaign_name, chosen, reporting_currency, min_score),
        subtype="html",
        cte="quoted-printable",
    )
    return msg


# --------------------------------------------------------------------------- send


def _safe_error(exc: BaseException, settings: SmtpSettings) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if settings.password:
        text = text.replace(settings.password, "***")
    return text


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = settings.tls_context or ssl.create_default_context()
    if settings.use_ssl:
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        conn.ehlo()
        if settings.starttls and not settings.use_ssl:
            conn.starttls(context=context)
            conn.ehlo()
        if settings.username:
            conn.login(settings.username, settings.password or "")
    except BaseException:
        _close(conn)
        raise
    return conn


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except Exception:  # noqa: BLE001 - already broken; just drop it
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass


def _prepared(msg: EmailMessage, settings: SmtpSettings, recipients: list[str]) -> EmailMessage:
    out = copy.deepcopy(msg)
    for header in ("To", "Bcc"):
        del out[header]
    out["To"] = ", ".join(recipients)
    if "From" not in out:
        out["From"] = settings.sender
    if "Date" not in out:
        out["Date"] = formatdate(localtime=False, usegmt=True)
    if "Message-ID" not in out:
        domain = settings.sender.rpartition("@")[2] or "localhost"
        out["Message-ID"] = make_msgid(domain=domain.strip("<> ") or "localhost")
    return out


def send_digests(
    settings: SmtpSettings, digests: list[tuple[list[str], EmailMessage]]
) -> list[DigestResult]:
    """Send every ``(recipients, message)`` over one SMTP connection; never raises for delivery.

    Returns one :class:`DigestResult` per recipient per digest, in order. A refused recipient is
    recorded and the others still get the message. If the connection drops, it reconnects once
    for the next digest. The caller's messages are not modified (``To``/``From``/``Date`` are
    set on a copy; all recipients of one digest share one ``To`` header).
    """
    results: list[DigestResult] = []
    conn: smtplib.SMTP | None = None
    connect_error: str | None = None
    reconnects_left = 1
    try:
        for recipients, msg in digests:
            subject = str(msg.get("Subject", ""))
            rcpts = [r.strip() for r in recipients if r and r.strip()]
            if not rcpts:
                continue
            if conn is None and connect_error is None:
                try:
                    conn = _connect(settings)
                except Exception as exc:  # noqa: BLE001
                    connect_error = _safe_error(exc, settings)
                    logger.warning(
                        "SMTP connection to %s:%s failed: %s",
                        settings.host,
                        settings.port,
                        connect_error,
                    )
            if conn is None:
                results += [DigestResult(subject, r, False, connect_error) for r in rcpts]
                continue
            try:
                refused = conn.send_message(
                    _prepared(msg, settings, rcpts), from_addr=settings.sender, to_addrs=rcpts
                )
            except smtplib.SMTPRecipientsRefused as exc:
                refused = exc.recipients
            except smtplib.SMTPServerDisconnected as exc:
                error = _safe_error(exc, settings)
                results += [DigestResult(subject, r, False, error) for r in rcpts]
                conn = None
                if reconnects_left > 0:
                    reconnects_left -= 1
                else:
                    connect_error = error
                continue
            except Exception as exc:  # noqa: BLE001 - sender refused, data refused, ...
                error = _safe_error(exc, settings)
                results += [DigestResult(subject, r, False, error) for r in rcpts]
                try:
                    conn.rset()
                except Exception:  # noqa: BLE001
                    _close(conn)
                    conn = None
                continue
            for r in rcpts:
                if r in refused:
                    code, reply = refused[r]
                    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
                    error = f"refused: {code} {text}"
                    results.append(DigestResult(subject, r, False, error))
                else:
                    results.append(DigestResult(subject, r, True, None))
    finally:
        _close(conn)
    failed = sum(1 for r in results if not r.delivered)
    logger.info("email digests: %d delivered, %d failed", len(results) - failed, failed)
    return results
