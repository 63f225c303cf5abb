"""The field mapping of the AWS Partner Central plugin (issue 39, docs/aws-partner-central.md),
checked against botocore's real `partnercentral-selling` model for every stage and type."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import boto3
import pytest
from botocore.validate import ParamValidator

from cosell_contrib.aws_partner_central import mapping
from partners.opportunities.enums import OpportunityStage, OpportunityType

MODEL = boto3.client("partnercentral-selling", region_name="us-east-1", aws_access_key_id="testing",
                     aws_secret_access_key="testing").meta.service_model
CREATED = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)


def _opportunity(stage: OpportunityStage, kind: OpportunityType, **extra) -> dict:
    return {"id": 42, "name": "Globex Corp- 50 Premium", "stage": stage.value, "opportunity_type": kind.value,
            "amount": Decimal("24000"), "currency": "EUR", "close_date": date(2027, 3, 31), "created_at": CREATED,
            "competitor": "", **extra}


def _valid(operation: str, params: dict) -> None:
    report = ParamValidator().validate(params, MODEL.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


@pytest.mark.parametrize("stage", list(OpportunityStage))
@pytest.mark.parametrize("kind", list(OpportunityType))
def test_every_stage_and_type_maps_to_a_valid_request(stage, kind):
    params = mapping.create_request(_opportunity(stage, kind), {"name": "Globex Corp", "website": "globex.example",
                                                                "country": "DE"}, {"goals": "Joint POC"})
    _valid("CreateOpportunity", {"Catalog": "Sandbox", **params})
    _valid("UpdateOpportunity", {"Catalog": "Sandbox", **mapping.update_request(
        _opportunity(stage, kind), {"name": "Globex Corp", "website": "", "country": "DE"}, {}, "O1234567",
        CREATED)})


def test_amounts_are_monthly_in_the_opportunitys_currency():
    project = mapping.project(_opportunity(OpportunityStage.DISCOVERY, OpportunityType.NEW_BUSINESS), {})
    assert project["ExpectedCustomerSpend"] == [{"Amount": "2000.00", "CurrencyCode": "EUR", "Frequency": "Monthly",
                                                 "TargetCompany": "AWS"}]
    assert "ExpectedCustomerSpend" not in mapping.project(
        _opportunity(OpportunityStage.DISCOVERY, OpportunityType.NEW_BUSINESS, amount=None), {})


def test_the_client_token_is_stable_per_opportunity_and_differs_after_a_reset():
    one = _opportunity(OpportunityStage.DISCOVERY, OpportunityType.NEW_BUSINESS)
    assert mapping.client_token(one) == mapping.client_token(dict(one)) == \
        "cosell-opportunity-42-20261201T093015123456"
    assert mapping.client_token({**one, "created_at": datetime(2027, 1, 1, tzinfo=timezone.utc)}) != \
        mapping.client_token(one)


def test_closed_lost_reasons():
    lost = mapping.lifecycle(_opportunity(OpportunityStage.CLOSED_LOST, OpportunityType.NEW_BUSINESS,
                                          competitor="Initrode"))
    assert lost == {"Stage": "Closed Lost", "TargetCloseDate": "2027-03-31",
                    "ClosedLostReason": "Lost to Competitor - Other"}
    assert mapping.lifecycle(_opportunity(OpportunityStage.DUPLICATE, OpportunityType.NEW_BUSINESS))[
        "ClosedLostReason"] == "No Opportunity"


def test_association_formats_are_the_ones_the_model_documents():
    from cosell_contrib.aws_partner_central.associations import FORMATS

    related = MODEL.operation_model("GetOpportunity").output_shape.members["RelatedEntityIdentifiers"].members
    assert FORMATS["Solutions"] == related["Solutions"].member.metadata["pattern"]
    assert FORMATS["AwsMarketplaceOffers"] == related["AwsMarketplaceOffers"].member.metadata["pattern"]
    associate = MODEL.operation_model("AssociateOpportunity").input_shape.members
    assert set(FORMATS) <= set(associate["RelatedEntityType"].enum)
    assert "pattern" not in related["AwsProducts"].member.metadata, "no format of its own: 1-255, no blanks"
