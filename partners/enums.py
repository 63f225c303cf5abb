"""The domain's closed vocabularies (DOMAIN.md ids in comments)."""

from enum import Enum


class Region(str, Enum):
    """Sales regions (D7)."""

    AMER = "AMER"
    EMEA = "EMEA"
    APJ = "APJ"
    LATAM = "LATAM"
    PUBSEC = "PUBSEC"


class Role(str, Enum):
    ADMIN = "ADMIN"
    SALES_OPS = "SALES_OPS"
    CHANNEL_MANAGER = "CHANNEL_MANAGER"
    ACCOUNT_EXECUTIVE = "ACCOUNT_EXECUTIVE"
    SDR = "SDR"
    PARTNER_USER = "PARTNER_USER"
    PARTNER_ADMIN = "PARTNER_ADMIN"
    # D9: works the SMB team's "Partner Opp" case queue (at most 50 cases in progress).
    SMB_ADVOCATE = "SMB_ADVOCATE"


# Partner-side roles: users who belong to one partner (PARTNER_ADMIN also manages its people).
PARTNER_ROLES = frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN})


class PartnerType(str, Enum):
    RESELLER = "RESELLER"
    DISTRIBUTOR = "DISTRIBUTOR"
    SYSTEM_INTEGRATOR = "SYSTEM_INTEGRATOR"
    MSP = "MSP"
    CLOUD_ALLIANCE = "CLOUD_ALLIANCE"
    OEM = "OEM"
    TRAINING = "TRAINING"


class PartnerTrack(str, Enum):
    """P1: OPEN, or the invitation-only SELECT tracks."""

    OPEN = "OPEN"
    SELECT = "SELECT"
    SELECT_SERVICES = "SELECT_SERVICES"


class PartnerStatus(str, Enum):
    """P1: only AUTHORIZED partners register deals or appear in the locator."""

    PROSPECT = "PROSPECT"
    AUTHORIZED = "AUTHORIZED"
    DENIED = "DENIED"


class AccountType(str, Enum):
    """A5."""

    PROSPECT = "PROSPECT"
    CUSTOMER = "CUSTOMER"
    FORMER_CUSTOMER = "FORMER_CUSTOMER"
    INTEGRATOR = "INTEGRATOR"
    RESELLER = "RESELLER"
    PROSPECTIVE_RESELLER = "PROSPECTIVE_RESELLER"


class Segment(str, Enum):
    """A1, ordered smallest first (A2 takes the maximum)."""

    SMB = "SMB"
    MID_MARKET = "MID_MARKET"
    LARGE = "LARGE"


class AddressSource(str, Enum):
    """A4, in territory priority order: the first present one is the territory address."""

    ADMIN_OVERRIDE = "ADMIN_OVERRIDE"
    DATAFOX = "DATAFOX"
    ZOOMINFO = "ZOOMINFO"
    SHIPPING = "SHIPPING"
    BILLING = "BILLING"


class ScreeningStatus(str, Enum):
    """A6 denied-party screening."""

    PENDING = "PENDING"
    CLEAR = "CLEAR"
    YELLOW = "YELLOW"
    RED = "RED"
    ESCALATE = "ESCALATE"


class Ranking(str, Enum):
    """A9."""

    RANK_1 = "1"
    RANK_1_5 = "1.5"
    RANK_2 = "2"
    RANK_3 = "3"


class OpportunityStage(str, Enum):
    """O1, in pipeline order; the values are the handbook's labels."""

    PRE_OPPORTUNITY = "00-Pre Opportunity"
    PENDING_ACCEPTANCE = "0-Pending Acceptance"
    DISCOVERY = "1-Discovery"
    SCOPING = "2-Scoping"
    TECHNICAL_EVALUATION = "3-Technical Evaluation"
    PROPOSAL = "4-Proposal"
    NEGOTIATING = "5-Negotiating"
    AWAITING_SIGNATURE = "6-Awaiting Signature"
    CLOSED_WON = "7-Closed Won"
    CLOSED_LOST = "8-Closed Lost"
    UNQUALIFIED = "9-Unqualified"
    DUPLICATE = "10-Duplicate"


class OpportunityType(str, Enum):
    """O8."""

    NEW_BUSINESS = "NEW_BUSINESS"
    ADD_ON = "ADD_ON"
    RENEWAL = "RENEWAL"
    PROFESSIONAL_SERVICES = "PROFESSIONAL_SERVICES"
    UPSIDE_IACV = "UPSIDE_IACV"


class LossReason(str, Enum):
    """O7: why an opportunity was closed lost."""

    MERGED = "MERGED"  # "Merged into another opportunity": needs the merged-into link
    COMPETITIVE_LOSS = "COMPETITIVE_LOSS"  # needs the competitor
    NO_BUDGET = "NO_BUDGET"
    NO_DECISION = "NO_DECISION"
    TIMING = "TIMING"
    PRODUCT_FIT = "PRODUCT_FIT"
    OTHER = "OTHER"


class SalesQualifiedSource(str, Enum):
    """O9."""

    SDR_GENERATED = "SDR_GENERATED"
    AE_GENERATED = "AE_GENERATED"
    CHANNEL_GENERATED = "CHANNEL_GENERATED"
    WEB_DIRECT_GENERATED = "WEB_DIRECT_GENERATED"
    OTHER = "OTHER"


class ContactRole(str, Enum):
    """The role a contact plays on an opportunity."""

    DECISION_MAKER = "DECISION_MAKER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    TECHNICAL_BUYER = "TECHNICAL_BUYER"
    EVALUATOR = "EVALUATOR"
    INFLUENCER = "INFLUENCER"
    OTHER = "OTHER"


class OpportunityPartnerRole(str, Enum):
    """A partner's role on an opportunity's team (R5, R8, R9)."""

    DEAL_REGISTRANT = "DEAL_REGISTRANT"
    FULFILLER = "FULFILLER"
    DISTRIBUTOR = "DISTRIBUTOR"
    INFLUENCER = "INFLUENCER"
    RESELLER = "RESELLER"


class OutboxStatus(str, Enum):
    """An outbox message: waiting (or being retried), delivered, or given up on."""

    PENDING = "PENDING"
    SENT = "SENT"
    DEAD = "DEAD"


class CoSellMotion(str, Enum):
    """D8: how the partner works the deal. Services and technical support (demos, POCs,
    co-selling with cloud providers) on rank 1–2 accounts; partner-led on unranked accounts."""

    SERVICES_AND_SUPPORT = "SERVICES_AND_SUPPORT"
    PARTNER_LED = "PARTNER_LED"


class CoSellTaskSide(str, Enum):
    """D3: which side of the co-sell plan owns a task."""

    VENDOR = "VENDOR"
    PARTNER = "PARTNER"


class HoldoverExtensionStatus(str, Enum):
    """A10: an owner's request to keep a held-over opportunity longer."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"


class CoSellTaskStatus(str, Enum):
    """D3: the status of a co-sell task."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    BLOCKED = "BLOCKED"


class DealRegistrationType(str, Enum):
    """P3: what a partner registers; SERVICES_ATTACH sits on a closed-won opportunity (P9)."""

    RESALE = "RESALE"
    REFERRAL = "REFERRAL"
    MSP = "MSP"
    SERVICES_ATTACH = "SERVICES_ATTACH"


class DealRegistrationStatus(str, Enum):
    """P4 review flow, P5 holds and dissolution, P6 expiry and closing."""

    SUBMITTED = "SUBMITTED"
    PENDING_SALES_REVIEW = "PENDING_SALES_REVIEW"
    PENDING_MANAGER_REVIEW = "PENDING_MANAGER_REVIEW"
    RETURNED = "RETURNED"  # back with the partner for more information (P4)
    ON_HOLD = "ON_HOLD"  # another registration of the same scope was approved (P5)
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    WITHDRAWN = "WITHDRAWN"
    DISSOLVED = "DISSOLVED"  # the approved engagement was dissolved (P5)
    EXPIRED = "EXPIRED"  # P6: 90 days after approval (plus extensions)
    CLOSED = "CLOSED"  # P6: its opportunity was closed lost


class DiscountLineKind(str, Enum):
    """What a line of a discount quote is (P8: the partner discount is its own line;
    customer discounts are separate lines)."""

    PARTNER_DISCOUNT = "PARTNER_DISCOUNT"  # D5, P7: the program or co-sell discount of the quoted partner
    SERVICES_ATTACH = "SERVICES_ATTACH"  # P9: per engagement, stacked up to the cap
    DISTRIBUTOR_MARGIN = "DISTRIBUTOR_MARGIN"  # P10: the distributor an OPEN partner buys through
    CUSTOMER_DISCOUNT = "CUSTOMER_DISCOUNT"  # D6: e.g. the Paid POC matrix
    PROMOTION = "PROMOTION"  # added by plugins (a regional promotion …)
    OTHER = "OTHER"


class DiscountBasis(str, Enum):
    """Why the partner discount line has its rate (D5, P7)."""

    REGISTERED = "REGISTERED"  # D5: partner-sourced, approved registration: track × registration type
    CO_SELL = "CO_SELL"  # D5, P7: brought in by sales as reseller, no registration
    TENDER = "TENDER"  # P7: bidding in a tender: the co-sell rate
    TENDER_SOURCED = "TENDER_SOURCED"  # P7: sourced before the tender: keeps the sourced rate
    RENEWAL_INCUMBENT = "RENEWAL_INCUMBENT"  # P7: the incumbent keeps last year's discount
    RENEWAL_NON_INCUMBENT = "RENEWAL_NON_INCUMBENT"  # P7: other resellers quote list price


class PurchaseRoute(str, Enum):
    """P10: how the partner buys."""

    DIRECT = "DIRECT"
    DISTRIBUTOR = "DISTRIBUTOR"


class LeadStatus(str, Enum):
    """P11: a lead's place in its share with a partner. NEW leads are shareable (again,
    after a rejection or a recall)."""

    NEW = "NEW"
    SHARED = "SHARED"  # waiting for the partner to accept or reject (5 business days)
    ACCEPTED = "ACCEPTED"  # accepted, waiting for an action (10 business days from sharing)
    CONTACTED = "CONTACTED"
    MEETING = "MEETING"
    CONVERTED = "CONVERTED"  # linked to the deal registration or opportunity it became
    DISQUALIFIED = "DISQUALIFIED"


class LeadAction(str, Enum):
    """P11: what the partner did with an accepted lead."""

    CONTACTED = "CONTACTED"
    MEETING = "MEETING"
    CONVERTED = "CONVERTED"
    DISQUALIFIED = "DISQUALIFIED"


class LeadRecallReason(str, Enum):
    """P11: why a lead was taken back from its partner."""

    NOT_ACCEPTED = "NOT_ACCEPTED"  # not accepted within 5 business days
    NO_ACTION = "NO_ACTION"  # accepted, no action within 10 business days
    PARTNER_DENIED = "PARTNER_DENIED"  # P1: the partner was denied while holding the lead


class CaseStatus(str, Enum):
    """D9: a "Partner Opp" case in the SMB queue."""

    OPEN = "OPEN"  # waiting for an advocate (pick-up within 24 hours)
    IN_PROGRESS = "IN_PROGRESS"  # held by an advocate (closed within 15 days of opening)
    CLOSED = "CLOSED"


class TrainingCourse(str, Enum):
    """P2: the partner foundations training makes a person count for eligibility."""

    PARTNER_FOUNDATIONS = "PARTNER_FOUNDATIONS"
    SALES_ACCREDITATION = "SALES_ACCREDITATION"
    TECHNICAL_ACCREDITATION = "TECHNICAL_ACCREDITATION"


class PartnerChangeKind(str, Enum):
    """P1 history of a partner: its status, track and PSP designation."""

    STATUS = "STATUS"
    TRACK = "TRACK"
    PSP = "PSP"
