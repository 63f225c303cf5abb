"""Outbox delivery end to end: a new process sends what a crashed one committed, concurrent
senders deliver each message once, SMTP to a real local server, and the server's
background job."""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from partners.infra import mail, outbox
from partners.infra.db import transaction
from partners.infra.leasing import utcnow
from partners.infra.outbox import OutboxPolicy, deliver_due
from partners.infra.tables import OutboxMessage
from server.background import BackgroundRunner, Job
from server.settings import PROJECT_ROOT, Settings


class SmtpSink:
    """aiosmtpd handler keeping every message it accepted; refuses nobody@… for good."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()


def _send_process(var_dir, *args, **env) -> subprocess.Popen:
    environment = {**os.environ, "COSELL_VAR_DIR": str(var_dir), "COSELL_LOG_JSON": "0", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "outbox", "send", "--once", *args],
        cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


async def _uid(message_id: int) -> str:
    return (await OutboxMessage.select(OutboxMessage.uid).where(OutboxMessage.id == message_id).first())["uid"]


async def test_a_committed_email_survives_a_crash_and_a_new_process_sends_it_once(cosell_client, tmp_path):
    # The process that committed "crashes" before sending: nothing is sent in it.
    async with transaction():
        message_id = await mail.enqueue_email("ana@alpha.example", "Task assigned: kickoff deck", "Please prepare it.")

    out = await asyncio.to_thread(lambda: _finish(_send_process(tmp_path)))
    assert "sent 1," in out
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    sent = email.message_from_bytes(files[0].read_bytes(), policy=email_policy.default)
    assert sent["Message-ID"] == f"<{await _uid(message_id)}@localhost>"
    assert (sent["To"], sent["Subject"]) == ("ana@alpha.example", "Task assigned: kickoff deck")
    assert sent.get_content().strip() == "Please prepare it."
    assert (await OutboxMessage.select().where(OutboxMessage.id == message_id).first())["status"] == "SENT"

    out = await asyncio.to_thread(lambda: _finish(_send_process(tmp_path)))
    assert "sent 0," in out
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


async def test_two_sender_processes_deliver_each_message_exactly_once(cosell_client, tmp_path, smtp_server):
    count = 60
    async with transaction():
        ids = [await mail.enqueue_email(f"user{n}@alpha.example", f"Task {n}", "…") for n in range(count)]
    smtp = {"COSELL_SMTP_HOST": "127.0.0.1", "COSELL_SMTP_PORT": str(smtp_server.port), "COSELL_SMTP_TLS": "none"}

    def run_two() -> list[str]:
        processes = [_send_process(tmp_path, "--batch", "3", **smtp) for _ in range(2)]
        return [_finish(process) for process in processes]

    outputs = await asyncio.to_thread(run_two)
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    expected = {f"<{await _uid(message_id)}@localhost>" for message_id in ids}
    assert set(received) == expected
    assert set(received.values()) == {1}
    per_process = [int(out.split("sent ")[1].split(",")[0]) for out in outputs]
    assert sum(per_process) == count
    assert await OutboxMessage.count().where(OutboxMessage.status == "SENT") == count


async def test_smtp_delivery_carries_the_stable_message_id(cosell_client, smtp_server):
    settings = Settings.from_env(smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_tls="none",
                                 mail_from="partners@vendor.example")
    async with transaction():
        ok = await mail.enqueue_email(["ana@alpha.example", "bo@alpha.example"], "Kickoff", "Tuesday 10:00",
                                      html="<p>Tuesday 10:00</p>")
        refused = await mail.enqueue_email("nobody@alpha.example", "Kickoff", "Tuesday 10:00")
    report = await deliver_due({mail.EMAIL: mail.email_handler(settings)}, worker="w", policy=OutboxPolicy())
    assert (report.sent, report.dead) == (1, 1)
    [received] = smtp_server.messages
    assert received["Message-ID"] == f"<{await _uid(ok)}@vendor.example>"
    assert received["From"] == "partners@vendor.example"
    assert received["To"] == "ana@alpha.example, bo@alpha.example"
    assert received.get_body(("html",)).get_content().strip() == "<p>Tuesday 10:00</p>"
    # A permanent refusal (5xx) is not retried.
    row = await OutboxMessage.select().where(OutboxMessage.id == refused).first()
    assert row["status"] == "DEAD" and row["attempts"] == 1 and "550" in row["last_error"]


async def test_an_unreachable_smtp_server_is_retried(cosell_client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = Settings.from_env(smtp_host="127.0.0.1", smtp_port=closed_port, smtp_tls="none", smtp_timeout=2)
    async with transaction():
        message_id = await mail.enqueue_email("ana@alpha.example", "Kickoff", "…")
    report = await deliver_due({mail.EMAIL: mail.email_handler(settings)}, worker="w", policy=OutboxPolicy())
    assert report.retried == 1
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row["status"] == "PENDING" and "ConnectionRefusedError" in row["last_error"]


async def test_file_delivery_writes_a_message_id_once(tmp_path):
    message = outbox.Message(id=1, uid="0123abcd", kind=mail.EMAIL, attempt=1, dedupe_key=None,
                             payload=mail.email_payload("ana@alpha.example", "Kickoff", "first"),
                             created_at=utcnow())
    mailer = mail.FileMailer(tmp_path)
    await mailer.send(mail.build_email(message, "cosell@vendor.example"))
    [path] = tmp_path.iterdir()
    assert path.name == "0123abcd@vendor.example.eml"
    first = path.read_bytes()
    await mailer.send(mail.build_email(message, "cosell@vendor.example"))
    assert [p.read_bytes() for p in tmp_path.iterdir()] == [first]


async def test_the_server_background_job_delivers_committed_email(cosell_app_factory, tmp_path):
    async with cosell_app_factory(background_jobs=True, background_interval=0.05, var_dir=tmp_path) as client:
        async with transaction():
            await mail.enqueue_email("ana@alpha.example", "Kickoff", "…")
        for _ in range(200):
            if list((tmp_path / "mail").glob("*.eml")):
                break
            await asyncio.sleep(0.025)
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
        assert (await client.get("/healthz")).status_code == 200
    assert await OutboxMessage.count().where(OutboxMessage.status == "SENT") == 1


async def test_background_jobs_can_be_driven_explicitly(cosell_app_factory, tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:  # periodic jobs are off in tests
        async with transaction():
            await mail.enqueue_email("ana@alpha.example", "Kickoff", "…")
        await asyncio.sleep(0.1)
        assert not (tmp_path / "mail").exists()
        results = await client.app.state.background.run_once()
        assert results["outbox"].sent == 1
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


async def test_a_failing_job_is_logged_and_runs_again(caplog):
    calls = Counter()

    async def flaky(should_stop):
        calls["runs"] += 1
        if calls["runs"] <= 2:
            raise RuntimeError("database hiccup")

    async def stuck(should_stop):
        await asyncio.sleep(3600)

    runner = BackgroundRunner([Job("flaky", flaky, 0.01), Job("stuck", stuck, 0.01)])
    runner.start()
    for _ in range(200):
        if calls["runs"] >= 4:
            break
        await asyncio.sleep(0.01)
    await runner.stop(timeout=0.2)  # the stuck job is cancelled, the call returns
    assert calls["runs"] >= 4
    failures = [r for r in caplog.records if r.getMessage() == "background job failed"]
    assert len(failures) == 2 and failures[0].job == "flaky"


async def test_the_sender_command_runs_until_stopped(cosell_client, tmp_path):
    environment = {**os.environ, "COSELL_VAR_DIR": str(tmp_path), "COSELL_LOG_JSON": "0",
                   "COSELL_BACKGROUND_INTERVAL": "0.05"}
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "outbox", "send"], cwd=PROJECT_ROOT,
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        async with transaction():
            await mail.enqueue_email("ana@alpha.example", "Kickoff", "…")
        for _ in range(400):
            if list((tmp_path / "mail").glob("*.eml")):
                break
            await asyncio.sleep(0.025)
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, err
    assert "background jobs stopped" in err


async def test_status_counts_messages_by_status(cosell_client):
    async with transaction():
        await mail.enqueue_email("ana@alpha.example", "Kickoff", "…")
        await mail.enqueue_email("bo@alpha.example", "Kickoff", "…")
    out = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "server.cli", "outbox", "status"],
                                  cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["PENDING", "2", "SENT", "0", "DEAD", "0"]


async def test_dead_messages_can_be_sent_again(cosell_client, smtp_server):
    settings = Settings.from_env(smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_tls="none")
    handlers = {mail.EMAIL: mail.email_handler(settings)}
    async with transaction():
        message_id = await mail.enqueue_email("nobody@alpha.example", "Kickoff", "…")
    assert (await deliver_due(handlers, worker="w", policy=OutboxPolicy())).dead == 1
    out = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "server.cli", "outbox", "retry", "--dead"],
                                  cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 message(s) will be sent again."
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert (row["status"], row["attempts"]) == ("PENDING", 0)
    assert (await deliver_due(handlers, worker="w", policy=OutboxPolicy())).claimed == 1
