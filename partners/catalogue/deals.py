"""D: deal registration, co-sell, discounts, the locator and SMB cases (seeds 000, 001, 004)."""

from partners.catalogue.rule import Rule

DEAL_RULES = (
    Rule("D1", "Registering and reviewing a deal",
         "A partner registers a deal; a channel manager of the customer's region approves or rejects it "
         "and assigns an approved one to an account executive, whose pipeline then shows it.",
         ("000", "001")),
    Rule("D2", "One customer deal, one partner",
         "A second registration for the same customer and scope while another is pending or approved "
         "is a conflict the channel manager resolves.", ("000", "001")),
    Rule("D3", "Co-sell plans",
         "After approval the channel manager and the account executive hold a kickoff and write a "
         "co-sell plan with the partner: tasks with an owner on the vendor or the partner side, a due "
         "date and a status.", ("001",)),
    Rule("D4", "Partner task confirmations",
         "Every task given to a partner sends that partner a confirmation email, kept in the outbox so "
         "it is neither lost nor sent twice.", ("001",)),
    Rule("D5", "Program and co-sell discounts; local currency",
         "A deal the partner registered and sourced earns the program discount of the partner's track "
         "and the registration type; a partner brought in by sales as reseller gets the co-sell rate "
         "instead. Partners often resell in their local currency: amounts carry an ISO 4217 currency "
         "and are never added across currencies without an exchange rate.", ("000",)),
    Rule("D6", "Paid POC",
         "A paid proof of concept is a subscription of at least 12 months for 5 to 20 users, discounted "
         "by a matrix on the number of users.", ("000",)),
    Rule("D7", "Partner locator",
         "Partners are found by region (AMER, EMEA, APJ, LATAM, PUBSEC), country, type, track and "
         "specialization, and near a place; each region may be served by its own lookup (a plugin).",
         ("000",)),
    Rule("D8", "Partner motions",
         "On accounts ranked 1–2 partners deliver services and technical support (demos, POCs, "
         "co-selling with cloud providers); on unranked accounts a partner with contacts there leads as "
         "the primary sales contact.", ("004",)),
    Rule("D9", "Partner Opp cases",
         "Cases from a partner organisation reach the SMB team with the subject \"Partner Opp\"; a case "
         "is picked up within 24 hours and closed within 15 days; an advocate holds at most 50 cases in "
         "progress.", ("004",)),
    Rule("D10", "Case statuses",
         "OPEN, IN_PROGRESS once an advocate picks it up (and owns it), WAITING while another team has "
         "it, then CLOSED_RESOLVED, CLOSED_DUPLICATE (naming the original) or CLOSED_UNRESPONSIVE (after "
         "15 days of trying to reach the customer). An owner changes only with a reason.",
         ("004",)),
    Rule("D11", "Working a case",
         "Once in progress a case has Next Steps written as \"YYYY-MM-DD INITIALS what\" and a Next "
         "Steps date; its main contact is attached, and a lead on it is converted to a contact before "
         "it closes.", ("004",)),
    Rule("D12", "Closing a case",
         "Closing needs a resolution action from a fixed list and feedback (\"NA\" when none); "
         "CLOSED_RESOLVED also needs a contact and a Next Steps date that is not in the future."
        , ("004",)),
    Rule("D13", "Cases about an open opportunity",
         "Such a case links the opportunity; while both are open its close date may not be in the past; "
         "closing the case closes the opportunity won or lost, won only with the customer's admin "
         "contact on the account.", ("004",)),
    Rule("D14", "Case targets and exempt types",
         "Resolve within 7 days, 15 at most, except exempt types (High Value Account, Renewal Will "
         "Fail, PO Required, First Order, contact later). A High Value Account case stays open for the "
         "fiscal year unless closed with \"Request Not Possible\".", ("004",)),
    Rule("D15", "Email to case",
         "A message to the SMB team's address opens a case matched to a contact by sender and routed by "
         "the contact's region; later messages of the thread attach to it and notify its owner; "
         "\"#advocate\" in the subject escalates it.", ("004",)),
)
