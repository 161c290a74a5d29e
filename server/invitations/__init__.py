"""Registered participants outside the log: their email addresses, invitation
letters, and sending them through SMTP with a delivery status each."""
