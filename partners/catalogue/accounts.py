"""A: accounts (seed 003, with 001 and 004)."""

from partners.catalogue.rule import Rule

ACCOUNT_RULES = (
    Rule("A1", "Segment from the global account's employees",
         "An account's segment comes from the employee count of the top of its hierarchy (the ultimate "
         "parent): LARGE from 2,000 employees, MID_MARKET from 100 to 1,999, SMB below 100.", ("003",)),
    Rule("A2", "One segment per hierarchy",
         "Every account of a hierarchy takes the largest segment found anywhere in it, so a small "
         "subsidiary of a large group is LARGE.", ("003",)),
    Rule("A3", "Where employee counts come from",
         "DataFox counts first; ZoomInfo only when DataFox has none. LinkedIn and web sites are not "
         "sources. A count a user types, with the URL it comes from, is a review request that only an "
         "admin applies (as an override).", ("003",)),
    Rule("A4", "Which address decides the territory",
         "The territory address is the first present of: an admin's manual override, DataFox, "
         "ZoomInfo, the shipping address, the billing address.", ("003",)),
    Rule("A5", "Account types",
         "An account is a prospect, customer, former customer, integrator, reseller or prospective "
         "reseller. A partner organisation's own account is a channel-type account.", ("003",)),
    Rule("A6", "Denied-party screening",
         "Screening is PENDING, CLEAR, YELLOW, RED or ESCALATE. Only a CLEAR account may be updated or "
         "have an opportunity closed won; an ESCALATE account never processes an order.", ("003",)),
    Rule("A7", "Global Digital SMB",
         "An account with current ARR under $30k (USD; other currencies convert at the dated exchange "
         "rate), under 101 employees and outside Japan is Global Digital SMB, owned by its region's SMB "
         "sales user (AMER, APJ, EMEA; EMEA and APJ form one SMB territory).", ("004",)),
    Rule("A8", "Mid-market first-order ownership",
         "A MID_MARKET account in NORAM or EMEA with a first order available and either 500 employees "
         "or more or at least 100 potential developer users belongs to the mid-market first-order team.",
         ("001",)),
    Rule("A9", "Ranking",
         "Accounts are ranked 1, 1.5, 2 or 3. An SMB account ranked 1 or 1.5 needs its potential users; "
         "ranked 2 or 3 it needs a note saying why.", ("001",)),
    Rule("A10", "Opportunities stay with their owner after a transfer",
         "When an account changes owner, its open opportunities stay with their owner for at most 180 "
         "days after they were created. By day 120 the owner may ask for an extension, with evidence "
         "that the deal closes within 90 days.", ("003",)),
)
