"""O: opportunities (seeds 002, 003, with 000 and 001)."""

from partners.catalogue.rule import Rule

OPPORTUNITY_RULES = (
    Rule("O1", "Stages",
         "00-Pre Opportunity, 0-Pending Acceptance, 1-Discovery, 2-Scoping, 3-Technical Evaluation, "
         "4-Proposal, 5-Negotiating, 6-Awaiting Signature, 7-Closed Won, 8-Closed Lost, 9-Unqualified, "
         "10-Duplicate. Stages change only through the stage move, which applies O2–O7.", ("003",)),
    Rule("O2", "Where an opportunity starts",
         "A new opportunity starts at 00 or 0; a sales-assisted one passes through 0 before any later "
         "stage.", ("003",)),
    Rule("O3", "Sales acceptance",
         "Leaving 0 for an open stage needs an amount and records when sales accepted it. 9-Unqualified "
         "can be reached only from 0 or 00.", ("003",)),
    Rule("O4", "Sales qualification",
         "Moving from 1-Discovery to a later open stage or to closed won qualifies the opportunity: the "
         "flag and date are set and the net ARR of that moment is kept as its initial IACV.", ("003",)),
    Rule("O5", "No way back once qualified",
         "A qualified opportunity never returns to 00, 0 or 9-Unqualified.", ("003",)),
    Rule("O6", "Duplicates",
         "10-Duplicate names the opportunity it duplicates. An accepted opportunity cannot become a "
         "duplicate; it is closed lost instead.", ("003",)),
    Rule("O7", "Closing lost, and reopening",
         "8-Closed Lost needs a reason: \"merged into another opportunity\" names that opportunity, a "
         "loss to a competitor names the competitor. A lost opportunity may be reopened within 30 days; "
         "after that a new one is needed.", ("003",)),
    Rule("O8", "Types and parents",
         "New Business, Add-On, Renewal, Professional Services or Upside IACV. An add-on's parent is New "
         "Business or Renewal (never another add-on); professional services need a parent; when a "
         "parent closes, its Upside IACV children become duplicates of it.", ("003",)),
    Rule("O9", "Sales-qualified source",
         "Set from who brought the deal: an SDR → SDR Generated; else an AE, RD or AM owner → AE "
         "Generated; an authorized reseller owner → Channel Generated; the sales admin → Web Direct "
         "Generated; anyone else → Other.", ("003",)),
    Rule("O10", "Names",
         "Opportunity names follow the pattern `Acme, Inc- 50 Premium`, `Acme, Inc- Add 25 Premium`, "
         "`Acme, Inc- 50 Premium Renewal 01/17`, `Acme, Inc- Professional Services 06/18`.", ("003",)),
    Rule("O11", "Thresholds by segment",
         "Stated in USD (other currencies convert at the dated exchange rate): a close plan above $5k "
         "(SMB) or $10k (mid-market and large) amount; a full command plan above $10k / $20k net ARR "
         "unless the title says Channel-Managed; an opportunity consult from $10k / $20k net ARR; "
         "red/green review from $2k / $7k net ARR. A new logo counts above $1,000 ARR with more than 50 "
         "potential seats.", ("001", "000")),
)
