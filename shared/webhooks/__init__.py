"""Outbound webhooks: where a delivery may go, how it is signed, and how it is delivered and retried."""
