"""Webhook endpoints and their delivery log (issue 20); the rules are in partners/webhooks/."""
