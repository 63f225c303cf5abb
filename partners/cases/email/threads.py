"""Who wrote a message and which case's thread it belongs to (D15).

A sender is matched by address, case-insensitively: an active user (a partner user opens a
Partner Opp case for their partner, D9; vendor staff write internal messages), else the
contacts with that address (one account: the case goes to that account and its region; several
accounts: ambiguous, SMB operations decide).

A message joins a case's thread when its In-Reply-To/References name a message of that case,
or its subject carries the case's tag "[case #123]" (the owner's notifications carry it, so
a reply to one lands on the case). Either is accepted only from a sender who belongs on the
case: its contact or lead, a user of its partner, a sender of an earlier message of the
case, or vendor staff. Anyone else (a forged In-Reply-To, a guessed tag) opens a new case
and never sees or joins another's."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from piccolo.columns.combination import WhereRaw

from partners.accounts.tables import Contact
from partners.cases.enums import MessageDirection
from partners.cases.tables import CaseMessage, PartnerCase
from partners.people.enums import PARTNER_ROLES, Region, Role
from partners.people.principal import Principal
from partners.people.tables import User

log = logging.getLogger("cosell.mail")
TAG = re.compile(r"\[case #(\d{1,12})\]", re.IGNORECASE)


def case_tag(case_id: int) -> str:
    """What outgoing notifications about a case put in their subject."""
    return f"[case #{case_id}]"


@dataclass(frozen=True)
class Sender:
    address: str
    name: str
    user: dict | None = None  # an active user with that address
    contact: dict | None = None  # the contact, when the address names contacts of one account only
    ambiguous: bool = False  # contacts of several accounts share the address

    @property
    def principal(self) -> Principal | None:
        if self.user is None:
            return None
        row = self.user
        return Principal(user_id=row["id"], email=row["email"], name=row["name"], role=Role(row["role"]),
                         partner_id=row["partner"], regions=tuple(Region(r) for r in (row["regions"] or [])))

    @property
    def is_partner_user(self) -> bool:
        return self.user is not None and Role(self.user["role"]) in PARTNER_ROLES

    @property
    def is_staff(self) -> bool:
        return self.user is not None and not self.is_partner_user


async def identify(address: str, name: str = "") -> Sender:
    if not address:
        return Sender(address="", name=name)
    user = await User.select().where(WhereRaw("lower(email) = {}", address) & (User.active == True)).first()  # noqa: E712
    contacts = await Contact.select(Contact.id, Contact.account, Contact.name, Contact.email).where(
        WhereRaw("lower(email) = {}", address)).order_by(Contact.id)
    accounts = {c["account"] for c in contacts}
    return Sender(address=address, name=name, user=user, contact=contacts[0] if len(accounts) == 1 else None,
                  ambiguous=len(accounts) > 1)


async def belongs_on(case: dict, sender: Sender) -> bool:
    """May this sender's message join this case's thread?"""
    if not sender.address:
        return False
    if sender.is_staff:
        return True
    if sender.is_partner_user:
        return case["partner"] is not None and case["partner"] == sender.user["partner"]
    if case["lead_email"] and case["lead_email"].lower() == sender.address:
        return True
    if case["contact"] is not None and await Contact.exists().where(
            (Contact.id == case["contact"]) & WhereRaw("lower(email) = {}", sender.address)):
        return True
    return await CaseMessage.exists().where(
        (CaseMessage.case == case["id"]) & (CaseMessage.from_address == sender.address)
        & (CaseMessage.direction == MessageDirection.INBOUND.value))


async def thread_case(subject: str, references: tuple[str, ...], sender: Sender) -> tuple[dict | None, bool]:
    """(the case this message continues, or None; whether a thread was named but refused)."""
    candidates: list[int] = []
    if references:
        rows = await CaseMessage.select(CaseMessage.message_id, CaseMessage.case).where(
            CaseMessage.message_id.is_in(list(references)))
        by_id = {r["message_id"]: r["case"] for r in rows}
        candidates += [by_id[m] for m in references if m in by_id]
    tag = TAG.search(subject or "")
    if tag:
        candidates.append(int(tag.group(1)))
    for case_id in dict.fromkeys(candidates):
        case = await PartnerCase.select().where(PartnerCase.id == case_id).first()
        if case is not None and await belongs_on(case, sender):
            return case, False
    if candidates:
        log.warning("thread of case(s) %s named by %s, who does not belong on it: a new case is opened",
                    sorted(set(candidates)), sender.address or "(no sender)")
    return None, bool(candidates)
