"""Likely duplicates among open leads (issue 34): a warning on create and edit, never a refusal.

Two leads look like the same one when both are open (not CONVERTED or DISQUALIFIED, not
archived) and they have the same contact email, or the same company (`company_key`: case,
punctuation and a trailing legal form such as "Inc." or "GmbH" ignored) and a similar contact
(`similar_person`). The candidates are found in SQL by the indexed email and company key;
the person comparison is done here on those few rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from piccolo.columns.combination import Where

from partners.leads import rules
from partners.leads.enums import DuplicateReason
from partners.leads.tables import Lead
from partners.people.scoping import scoped

LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "plc", "corp", "corporation", "co", "company", "gmbh", "ag",
    "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "as", "oy", "kk", "pty", "pte", "lp", "llp",
})
SIMILARITY = 0.8  # SequenceMatcher ratio of two normalised names from which they are "similar"


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


def company_key(name: str) -> str:
    """"Initech, Inc." and "INITECH" give "initech"; an empty name gives ""."""
    words = _words(name)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)[:255]


def similar_person(a: str, b: str) -> bool:
    """Both names empty, the same words in any order, the same last name with the same first
    initial ("P. Gibbons", "Peter Gibbons"), or a close spelling ("Jon Smith", "John Smith")."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return not wa and not wb
    if sorted(wa) == sorted(wb):
        return True
    if len(wa) > 1 and len(wb) > 1 and wa[-1] == wb[-1] and wa[0][0] == wb[0][0]:
        return True
    return SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() >= SIMILARITY


@dataclass(frozen=True)
class Duplicate:
    lead_id: int
    reasons: tuple[DuplicateReason, ...]


def open_leads() -> Where:
    return Lead.status.not_in([s.value for s in rules.FINAL]) & Lead.archived_at.is_null()


def reasons(lead: dict, other: dict) -> tuple[DuplicateReason, ...]:
    found = []
    email = (lead["contact_email"] or "").lower()
    if email and email == (other["contact_email"] or "").lower():
        found.append(DuplicateReason.SAME_EMAIL)
    if lead["company_key"] and lead["company_key"] == other["company_key"] and similar_person(
            lead["contact_name"], other["contact_name"]):
        found.append(DuplicateReason.SAME_COMPANY_SIMILAR_CONTACT)
    return tuple(found)


async def duplicates_of(leads: list[dict], scope=None) -> dict[int, list[Duplicate]]:
    """For each lead, the open leads (within `scope`, the reader's) that look like it, oldest
    first; one query for all of them."""
    emails = sorted({(r["contact_email"] or "").lower() for r in leads} - {""})
    keys = sorted({r["company_key"] for r in leads} - {""})
    if not emails and not keys:
        return {r["id"]: [] for r in leads}
    match = None
    if emails:
        match = Lead.contact_email.is_in(emails)
    if keys:
        match = Lead.company_key.is_in(keys) if match is None else match | Lead.company_key.is_in(keys)
    query = Lead.select(Lead.id, Lead.contact_email, Lead.contact_name, Lead.company_key).where(open_leads() & match)
    candidates = await scoped(query, scope).order_by(Lead.id)
    out: dict[int, list[Duplicate]] = {}
    for lead in leads:
        out[lead["id"]] = [Duplicate(other["id"], why) for other in candidates
                           if other["id"] != lead["id"] and (why := reasons(lead, other))]
    return out
