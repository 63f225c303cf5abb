"""P: the channel program behind the seeds (the vendor's public channel-program handbook).
Discount percentages are not public: they are data (the discount policy), with example
values in the demo world, and plugins may override them."""

from partners.catalogue.rule import Rule

PROGRAM_RULES = (
    Rule("P1", "Tracks and status",
         "Partners are on the OPEN, SELECT (by invitation) or SELECT_SERVICES (by invitation) track, "
         "possibly designated PSP, and PROSPECT, AUTHORIZED or DENIED. Only AUTHORIZED partners register "
         "deals or appear in the locator, SELECT tracks first.", ("program",)),
    Rule("P2", "Eligibility to register",
         "A partner registers deals once it has a signed partner agreement and at least one person who "
         "completed the partner foundations training.", ("program",)),
    Rule("P3", "Registration types",
         "RESALE, REFERRAL, MSP and SERVICES_ATTACH (services sold on top of a closed-won software "
         "opportunity). A registration is for one opportunity: never a whole account, never several "
         "opportunities together.", ("program",)),
    Rule("P4", "The review flow and its targets",
         "SUBMITTED → PENDING_SALES_REVIEW → PENDING_MANAGER_REVIEW → APPROVED or DENIED (with a "
         "reason); a reviewer may return it to the partner for more information, and the partner may "
         "withdraw it. First review within 2 working hours, decision within 1 business day, partner "
         "contacted within 2 business days.", ("program",)),
    Rule("P5", "One approved sourcing partner",
         "An opportunity has at most one approved partner-sourced registration: the partner that "
         "sourced it, not the first to touch it. When that engagement is dissolved, the others are "
         "reconsidered in the order they were submitted.", ("program",)),
    Rule("P6", "Expiry and extensions",
         "An approved registration expires 90 days after approval. A channel manager may extend it once "
         "by 30 days; longer needs an admin. When the opportunity is closed lost, its registration "
         "closes.", ("program",)),
    Rule("P7", "Co-sell, tenders and renewals",
         "Co-selling needs no registration: a partner attached by sales gets the co-sell rate. In a "
         "tender every bidding partner gets the co-sell rate, except one that sourced the deal before "
         "the tender, which may keep its sourced rate. On a renewal the incumbent keeps last year's "
         "discount and other resellers quote list price; incumbency changes only at the customer's "
         "written request.", ("program",)),
    Rule("P8", "The partner discount line",
         "On a quote the partner discount is a line of its own, filled from the partner and the "
         "product. It may be reduced, with a recorded approval for exactly that rate, but never "
         "increased. Customer discounts are separate lines. Lines are exact amounts in the deal's "
         "currency, rounded half up to its minor unit; the total is their exact sum.", ("program",)),
    Rule("P9", "Services attach",
         "2.5 % of the linked deal's net ARR per services-attach engagement, stacking over the "
         "partner's engagements in the last 12 months up to 3 (7.5 % at most); one services-attach "
         "registration per closed-won opportunity, first come first served; the statement of work "
         "within 6 months of the close.", ("program",)),
    Rule("P10", "Buying through a distributor",
         "OPEN partners in a region with an active distributor buy through it; SELECT partners may buy "
         "direct.", ("program",)),
    Rule("P11", "Leads shared with partners",
         "A lead shared with a partner is accepted within 5 business days and acted on within 10, "
         "otherwise it is recalled.", ("program",)),
)
