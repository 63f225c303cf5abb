"""R: reseller opportunities and partner precedence (seed 003). Built in as plugins
(plugins/builtin/reseller_rules.py, precedence.py) that third parties may replace."""

from partners.catalogue.rule import Rule

RESELLER_RULES = (
    Rule("R1", "The end customer owns the opportunity",
         "An opportunity belongs to the end customer's account, never to a reseller's (channel-type) "
         "account.", ("003",)),
    Rule("R2", "Reseller names",
         "With an authorized reseller on the deal, the opportunity name starts with that partner's "
         "nickname and a dash: `P4 - Acme, Inc- 50 Premium`.", ("003",)),
    Rule("R3", "The primary contact is the customer's",
         "The primary contact of an opportunity is a contact of the end customer, never one of a "
         "reseller.", ("003",)),
    Rule("R4", "Reseller contacts are influencers only",
         "A reseller's contact may be on an opportunity only as Influencer, and is never added to the "
         "end customer's account.", ("003",)),
    Rule("R5", "Several partners per deal",
         "An opportunity may have several partners (several fulfilment houses, government deals).",
         ("003",)),
    Rule("R6", "Unofficial resellers are never primary",
         "A reseller that is not authorized is never the primary partner.", ("003",)),
    Rule("R7", "Exactly one primary",
         "When any authorized reseller is on an opportunity, exactly one partner is primary.", ("003",)),
    Rule("R8", "Who is primary",
         "The deal registrant first, then the fulfiller (who issues the purchase order), then the "
         "distributor.", ("003",)),
    Rule("R9", "What a partner user sees of opportunities",
         "A partner user sees an opportunity only while their partner is on its team as Reseller or is "
         "its deal registrant.", ("003",)),
)
