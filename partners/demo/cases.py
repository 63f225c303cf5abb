"""Demo cases (D9–D15): every status and every type, cases by email, through the real services, on the
demo's accounts and contacts (deterministic: the first accounts with contacts, in id order)."""

from __future__ import annotations

from datetime import timedelta

from partners.accounts.tables import Account, Contact
from partners.cases import closing, rules, service as cases, work
from partners.cases.enums import CaseStatus, CaseType
from partners.cases.tables import PartnerCase
from partners.demo.email_cases import create_email_cases
from partners.demo.people import USER_COLUMNS, as_principal
from partners.infra.clock import now
from partners.people.enums import Role
from partners.people.tables import User


async def create_cases(portal: list, advocate, companies: list[str]) -> None:
    """Partner Opp cases (D9) and vendor staff cases of every D14 type, in every D10 status."""
    subjects = ["Pricing for a 3-year renewal", "Customer asks for a security review", "Need a demo environment",
                "Transfer of the reseller of record"]
    opened = []
    for index, subject in enumerate(subjects):
        who = portal[index % len(portal)]
        case = await cases.open_case(who, subject, "Details from the partner portal.", account_name=companies[index])
        opened.append(case)
        if index >= 2:
            await cases.pick_up(advocate, case["id"])
            await cases.comment(advocate, case["id"], "Looking into it today.")
            await cases.comment(advocate, case["id"], "Ask the CM about the discount first.", internal=True)
        if index == 3:
            await closing.close(advocate, case["id"], status=CaseStatus.CLOSED_DUPLICATE,
                                resolution_action="NO_ACTION_REQUIRED", feedback="NA",
                                resolution="Same request as the security review.", duplicate_of=opened[1]["id"])
    await _staff_cases(advocate)
    await create_email_cases(advocate)  # D15


async def _staff_cases(advocate) -> None:
    ae = as_principal(await User.select(*USER_COLUMNS).where(User.role == Role.ACCOUNT_EXECUTIVE.value).order_by(
        User.id).first())
    with_contacts = Contact.select(Contact.account).order_by(Contact.account)
    accounts = [r["id"] for r in await Account.select(Account.id).where(Account.id.is_in(with_contacts)).order_by(
        Account.id).limit(8)]
    if len(accounts) < 8:
        return
    contacts = {}
    for contact in await Contact.select(Contact.id, Contact.account).where(Contact.account.is_in(accounts)).order_by(
            Contact.id):
        contacts.setdefault(contact["account"], contact["id"])
    today = now().date()

    async def open_(index: int, case_type: CaseType, subject: str, **fields) -> dict:
        return await cases.open_case(ae, subject, "Opened by the account team for the SMB advocates.",
                                     case_type=case_type, account_id=accounts[index], **fields)

    # OPEN: a First Order with a lead (not yet a contact), and an escalated Renewal Will Fail.
    await open_(0, CaseType.FIRST_ORDER, "FO Opp", lead_name="Jamie Prospect", lead_email="jamie@prospect.example")
    renewal = await open_(1, CaseType.RENEWAL_WILL_FAIL, "Renewal at risk", contact_id=contacts[accounts[1]])
    await work.escalate(ae, renewal["id"], "Customer threatens to churn; needs an advocate.")
    # IN_PROGRESS: a High Value Account case for the fiscal year; a customer to contact later.
    hva = await open_(2, CaseType.HIGH_VALUE_ACCOUNT, "High Value Account FY", contact_id=contacts[accounts[2]])
    await cases.pick_up(advocate, hva["id"])
    later = await open_(3, CaseType.CONTACT_LATER, "Expansion in six months", contact_id=contacts[accounts[3]])
    await cases.pick_up(advocate, later["id"])
    initials = sorted(rules.initials_of(advocate.name), key=len)[0]
    await work.update_case(advocate, later["id"], work.CaseChanges(
        next_steps=f"{today.isoformat()} {initials} Customer open to a conversation in 6 months",
        next_steps_date=today + timedelta(days=182)))
    # WAITING on another team: a PO Required case.
    po = await open_(4, CaseType.PO_REQUIRED, "PO Required", contact_id=contacts[accounts[4]])
    await cases.pick_up(advocate, po["id"])
    await work.set_waiting(advocate, po["id"], "Billing")
    # CLOSED_RESOLVED and CLOSED_UNRESPONSIVE (its 15 days of trying are backdated, as if picked up then).
    resolved = await open_(5, CaseType.GENERAL, "Support Ticket", contact_id=contacts[accounts[5]])
    await cases.pick_up(advocate, resolved["id"])
    await closing.close(advocate, resolved["id"], resolution_action="ANSWERED_QUESTION",
                        feedback="Customer thanked us for the quick answer.")
    silent = await open_(6, CaseType.GENERAL, "Referral")
    await cases.pick_up(advocate, silent["id"])
    await PartnerCase.update({PartnerCase.contact_attempts_since: now() - timedelta(days=16)}).where(
        PartnerCase.id == silent["id"])
    await closing.close(advocate, silent["id"], status=CaseStatus.CLOSED_UNRESPONSIVE,
                        resolution_action="FAILED_TO_ENGAGE", feedback="NA")
    # A Partner Opp-like GENERAL case still OPEN in the queue.
    await open_(7, CaseType.GENERAL, "AR Request", contact_id=contacts[accounts[7]])
