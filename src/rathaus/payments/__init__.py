"""Paying online: payment requests for submissions and cases, the providers that collect the
money (plugins), their notifications, refunds and the cash office's daily reconciliation."""
