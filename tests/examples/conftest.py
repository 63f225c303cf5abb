"""The partner portal's browser fixtures (tests/examples/portal_browser.py) for its tests."""

from tests.examples.portal_browser import browser, portal_config, portal_origin  # noqa: F401
