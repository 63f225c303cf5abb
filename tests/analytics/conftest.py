"""The demo world and its clock, shared by the channel metrics tests."""

from tests.analytics.test_channel_metrics import clock, demo  # noqa: F401
