"""Signals the apps above payments listen to, so that payments does not depend on them."""

from django.dispatch import Signal

payment_status_changed = Signal()
"""Sent in the transaction that changes a payment request's status (arguments ``request``,
``old``, ``new``, ``cause``). Receivers that do more than a row write enqueue a task in this
transaction (ADR 0021); the case's process hears of a payment through them."""
