"""Vocabularies of opportunities and their partner team (O, R rules)."""

from enum import Enum


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


class HoldoverExtensionStatus(str, Enum):
    """A10: an owner's request to keep a held-over opportunity longer."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"
