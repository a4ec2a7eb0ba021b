"""Email digests: content built for real, delivered to a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import logging
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from job_assets.notify.digest import (
    DigestResult,
    SmtpSettings,
    build_digest,
    select_matches,
    send_digests,
)
from job_assets.notify.summary import TopMatch
from tests.notify.receivers import unused_port

PASSWORD = "Pa55-w0rd-never-shown"
REFUSED = "refused@example.com"


def _match(**over: object) -> TopMatch:
    base: dict[str, object] = {
        "campaign_id": "c1",
        "campaign_name": "Data Engineer Toronto",
        "title": "Senior Data Engineer",
        "company_name": "Acme & Sons",
        "score": 87.4,
        "reasons": ["Strong dbt + DuckDB overlap", "Hybrid in Toronto", "Third reason hidden"],
        "apply_url": "https://jobs.example.com/apply/1?src=a&b=c",
        "location": "Toronto, ON",
        "salary_text": "CAD 140,000–160,000",
        "missing_skill": "Kafka",
        "job_id": "j1",
    }
    base.update(over)
    return TopMatch(**base)  # type: ignore[arg-type]


MATCHES = [
    _match(),
    _match(
        job_id="j2",
        title="Platform <&> Engineer",
        company_name="Beta",
        score=72.0,
        salary_text=None,
        missing_skill=None,
        reasons=["Python"],
    ),
    _match(job_id="j3", title="Junior Analyst", company_name="Gamma", score=55.0),
    _match(job_id="j4", title="Data Lead", company_name="Delta", score=80.0),
]


def _parts(msg: email.message.Message) -> tuple[str, str]:
    plain = msg.get_body(("plain",))  # type: ignore[attr-defined]
    html = msg.get_body(("html",))  # type: ignore[attr-defined]
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


# ----------------------------------------------------------------------------- a real SMTP server


@dataclass
class Recorder:
    """aiosmtpd handler: refuses some recipients, records messages and EHLO greetings."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    ehlos: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:  # noqa: N802
        self.ehlos += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def parsed(self, i: int = 0) -> EmailMessage:
        return email.message_from_bytes(self.messages[i][2], policy=default_policy)  # type: ignore[return-value]


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"bot", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder(refuse={REFUSED})
    port = unused_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield handler, port
    finally:
        ctl.stop()


@pytest.fixture
def smtp_auth() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    port = unused_port()
    ctl = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,
    )
    ctl.start()
    try:
        yield handler, port
    finally:
        ctl.stop()


def _plain_settings(port: int, **over: Any) -> SmtpSettings:
    base: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "bot@jobs.example",
        "use_ssl": False,
        "starttls": False,
        "timeout": 5.0,
    }
    base.update(over)
    return SmtpSettings(**base)


# ----------------------------------------------------------------------------- build


def test_build_digest_content_in_both_parts() -> None:
    msg = build_digest("Data Engineer Toronto", MATCHES, "CAD", min_score=60, top_n=10)
    assert msg is not None
    assert msg["Subject"] == "3 new matches for Data Engineer Toronto (best 87)"
    assert msg["To"] is None and msg.get_content_type() == "multipart/alternative"
    plain, html = _parts(msg)
    for text in (plain, html):
        assert "Senior Data Engineer" in text
        assert "87" in text and "72" in text and "80" in text
        assert "Strong dbt + DuckDB overlap" in text and "Hybrid in Toronto" in text
        assert "Third reason hidden" not in text  # only the two strongest reasons
        assert "Kafka" in text and "Toronto, ON" in text
        assert "Junior Analyst" not in text  # below min_score
    assert "Acme & Sons" in plain and "Acme &amp; Sons" in html
    assert "CAD 140,000–160,000" in plain and "CAD 140,000–160,000" in html
    assert "Salary not listed" in plain
    assert "https://jobs.example.com/apply/1?src=a&b=c" in plain
    assert 'href="https://jobs.example.com/apply/1?src=a&amp;b=c"' in html
    # HTML escaping of a hostile title; the plain part keeps it verbatim
    assert "Platform &lt;&amp;&gt; Engineer" in html and "Platform <&> Engineer" not in html
    assert "Platform <&> Engineer" in plain
    # best first
    assert plain.index("Senior Data Engineer") < plain.index("Data Lead") < plain.index("Platform")


@pytest.mark.parametrize(
    ("min_score", "top_n", "expected_ids"),
    [
        (0, 10, ["j1", "j4", "j2", "j3"]),
        (60, 10, ["j1", "j4", "j2"]),
        (80, 10, ["j1", "j4"]),
        (87.4, 10, ["j1"]),
        (0, 2, ["j1", "j4"]),
        (0, 0, []),
        (99, 10, []),
    ],
)
def test_min_score_and_top_n(min_score: float, top_n: int, expected_ids: list[str]) -> None:
    assert [m.job_id for m in select_matches(MATCHES, min_score, top_n)] == expected_ids
    msg = build_digest("C", MATCHES, "USD", min_score=min_score, top_n=top_n)
    if not expected_ids:
        assert msg is None
    else:
        assert msg is not None
        noun = "match" if len(expected_ids) == 1 else "matches"
        assert msg["Subject"].startswith(f"{len(expected_ids)} new {noun} for C (best 87)")


def test_duplicate_job_keeps_best_score_and_unsafe_links_are_dropped() -> None:
    dup = [_match(score=50), _match(score=90), _match(job_id="x", apply_url="javascript:alert(1)")]
    msg = build_digest("C\r\nBcc: evil@example.com", dup, "CAD", 0, 10)
    assert msg is not None
    assert msg["Subject"] == "2 new matches for C Bcc: evil@example.com (best 90)"
    plain, html = _parts(msg)
    assert "javascript:" not in plain and "javascript:" not in html
    assert plain.count("Senior Data Engineer") == 2  # j1 once (deduped) + x once


# ----------------------------------------------------------------------------- send


def test_send_records_refused_recipient_and_delivers_to_other(
    smtp: tuple[Recorder, int], caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = smtp
    caplog.set_level(logging.DEBUG)
    msg = build_digest("Data Engineer Toronto", MATCHES, "CAD", 60, 10)
    assert msg is not None
    results = send_digests(_plain_settings(port), [(["ok@example.com", REFUSED], msg)])
    subject = "3 new matches for Data Engineer Toronto (best 87)"
    assert results[0] == DigestResult(subject, "ok@example.com", True, None)
    assert results[1].recipient == REFUSED and not results[1].delivered
    assert results[1].error and "550" in results[1].error
    (mail_from, rcpts, _) = handler.messages[0]
    assert mail_from == "bot@jobs.example" and rcpts == ["ok@example.com"]
    got = handler.parsed()
    assert got["Subject"] == subject and got["From"] == "bot@jobs.example"
    assert got["Message-ID"] and got["Date"]
    plain, html = _parts(got)
    for text in (plain, html):
        assert "Senior Data Engineer" in text and "Kafka" in text and "Hybrid in Toronto" in text
        assert "https://jobs.example.com/apply/1" in text
    assert "Platform &lt;&amp;&gt; Engineer" in html
    assert msg["To"] is None  # the caller's message is untouched


def test_many_digests_share_one_connection_and_all_refused_is_not_fatal(
    smtp: tuple[Recorder, int],
) -> None:
    handler, port = smtp
    m1 = build_digest("A", MATCHES[:1], "CAD", 0, 5)
    m2 = build_digest("B", MATCHES[1:2], "CAD", 0, 5)
    assert m1 is not None and m2 is not None
    results = send_digests(
        _plain_settings(port), [([REFUSED], m1), (["b1@example.com", "b2@example.com"], m2)]
    )
    assert [(r.recipient, r.delivered) for r in results] == [
        (REFUSED, False),
        ("b1@example.com", True),
        ("b2@example.com", True),
    ]
    assert handler.ehlos == 1  # a single SMTP session for everything
    assert len(handler.messages) == 1
    assert handler.parsed()["To"] == "b1@example.com, b2@example.com"


def test_auth_without_tls_succeeds_with_right_password(smtp_auth: tuple[Recorder, int]) -> None:
    handler, port = smtp_auth
    msg = build_digest("A", MATCHES, "CAD", 0, 1)
    assert msg is not None
    settings = _plain_settings(port, username="bot", password=PASSWORD)
    (r,) = send_digests(settings, [(["u@example.com"], msg)])
    assert r.delivered and len(handler.messages) == 1


def test_wrong_password_fails_cleanly_without_leaking(
    smtp_auth: tuple[Recorder, int], caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = smtp_auth
    caplog.set_level(logging.DEBUG)
    msg = build_digest("A", MATCHES, "CAD", 0, 1)
    assert msg is not None
    wrong = "wr0ng-" + PASSWORD
    settings = _plain_settings(port, username="bot", password=wrong)
    results = send_digests(settings, [(["u@example.com", "v@example.com"], msg)])
    assert [r.delivered for r in results] == [False, False]
    assert results[0].error and "SMTPAuthenticationError" in results[0].error
    assert handler.messages == []
    assert wrong not in repr(results) + caplog.text + repr(settings)


def test_unreachable_server_gives_failed_results() -> None:
    msg = build_digest("A", MATCHES, "CAD", 0, 1)
    assert msg is not None
    results = send_digests(_plain_settings(unused_port(), timeout=2.0), [(["u@example.com"], msg)])
    assert len(results) == 1 and not results[0].delivered
    assert results[0].error and "ConnectionRefused" in results[0].error


def test_starttls_required_but_not_offered_is_recorded(smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    msg = build_digest("A", MATCHES, "CAD", 0, 1)
    assert msg is not None
    (r,) = send_digests(_plain_settings(port, starttls=True), [(["u@example.com"], msg)])
    assert not r.delivered and r.error and "STARTTLS" in r.error.upper()


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not available to make a test certificate")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    proc = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        capture_output=True,
        timeout=20,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {proc.stderr[:200]!r}")
    return cert, key


def test_starttls_with_auth_over_real_tls(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    handler, port = Recorder(), unused_port()
    ctl = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=_authenticator,
    )
    ctl.start()
    try:
        msg = build_digest("A", MATCHES, "CAD", 0, 1)
        assert msg is not None
        client_ctx = ssl.create_default_context(cafile=str(cert))
        settings = _plain_settings(
            port, starttls=True, username="bot", password=PASSWORD, tls_context=client_ctx
        )
        (r,) = send_digests(settings, [(["u@example.com"], msg)])
        # an untrusted certificate must be rejected, not silently accepted
        (bad,) = send_digests(_plain_settings(port, starttls=True), [(["u@example.com"], msg)])
    finally:
        ctl.stop()
    assert r.delivered and len(handler.messages) == 1
    assert not bad.delivered and bad.error and "CERTIFICATE" in bad.error.upper()


# ----------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"JOBS_SMTP_HOST": "  "}, None),
        ({"JOBS_SMTP_HOST": "smtp.x"}, ("smtp.x", 587, False, True, "job-lakehouse@localhost")),
        (
            {"JOBS_SMTP_HOST": "smtp.x", "JOBS_SMTP_SECURITY": "SSL"},
            ("smtp.x", 465, True, False, "job-lakehouse@localhost"),
        ),
        (
            {
                "JOBS_SMTP_HOST": "smtp.x",
                "JOBS_SMTP_SECURITY": "none",
                "JOBS_SMTP_PORT": "2525",
                "JOBS_SMTP_USER": "me@x.org",
            },
            ("smtp.x", 2525, False, False, "me@x.org"),
        ),
        (
            {
                "JOBS_SMTP_HOST": "smtp.x",
                "JOBS_SMTP_FROM": "Jobs <jobs@x.org>",
                "JOBS_SMTP_USER": "me@x.org",
            },
            ("smtp.x", 587, False, True, "Jobs <jobs@x.org>"),
        ),
    ],
)
def test_settings_from_env(env: dict[str, str], expected: tuple[Any, ...] | None) -> None:
    s = SmtpSettings.from_env(env)
    if expected is None:
        assert s is None
    else:
        assert s is not None
        assert (s.host, s.port, s.use_ssl, s.starttls, s.sender) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"JOBS_SMTP_HOST": "h", "JOBS_SMTP_SECURITY": "tls1.3"},
        {"JOBS_SMTP_HOST": "h", "JOBS_SMTP_PORT": "abc"},
    ],
)
def test_settings_from_env_rejects_bad_values(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="JOBS_SMTP_"):
        SmtpSettings.from_env(env)


def test_settings_from_process_env_hides_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBS_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("JOBS_SMTP_USER", "bot")
    monkeypatch.setenv("JOBS_SMTP_PASSWORD", PASSWORD)
    s = SmtpSettings.from_env()
    assert s is not None and s.password == PASSWORD and s.username == "bot"
    assert PASSWORD not in repr(s)
