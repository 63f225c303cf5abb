"""Demo of email to case (D15): a customer's email opens a case on their account, an advocate
picks it up and the customer's reply joins the thread (the owner is notified); an email from
an unknown sender waits in the SMB operations queue. Through the real ingest path."""

from __future__ import annotations

from email.message import EmailMessage

from partners.accounts.tables import Contact
from partners.cases import service as cases
from partners.cases.attachments import Limits
from partners.cases.email.ingest import Inbound, ingest


class _NoFiles:
    """The demo's emails carry no attachments: nothing is ever stored."""

    async def put(self, key: str, data: bytes) -> None:
        raise RuntimeError("the demo stores no email attachments")

    async def get(self, key: str) -> bytes | None:
        return None

    async def delete(self, key: str) -> None:
        return None


def _email(sender: str, subject: str, text: str, message_id: str, in_reply_to: str = "") -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, "smallbusiness@cosell.example", subject
    mail["Message-ID"] = message_id
    mail["Date"] = "Mon, 07 Dec 2026 09:00:00 +0000"
    if in_reply_to:
        mail["In-Reply-To"] = mail["References"] = in_reply_to
    mail.set_content(text)
    return mail.as_bytes()


async def create_email_cases(advocate) -> None:
    contact = await Contact.select(Contact.name, Contact.email).where(Contact.email != "").order_by(Contact.id).first()
    if contact is None:
        return
    inbound = Inbound(store=_NoFiles(), limits=Limits(0, ()))
    sender = f"{contact['name']} <{contact['email']}>"
    first = "<demo-email-1@customer.example>"
    opened = await ingest(_email(sender, "Adding 10 seats before our renewal",
                                 "Hello,\n\nwe would like to add 10 seats before the renewal next month. Can you "
                                 "send a quote?\n\nThanks", first), inbound)
    await cases.pick_up(advocate, opened.case_id)
    await ingest(_email(sender, "Re: Adding 10 seats before our renewal",
                        "One more thing: we need the quote in EUR.", "<demo-email-2@customer.example>", first),
                 inbound)
    await ingest(_email("Robin New <robin@newcustomer.example>", "Question about pricing",
                        "Do you offer discounts for non-profits?", "<demo-email-3@newcustomer.example>"), inbound)
