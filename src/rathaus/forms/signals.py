"""Signals the apps above forms listen to, so that forms does not depend on them."""

from django.dispatch import Signal

submission_stored = Signal()
"""Sent in the transaction that stores a new submission (arguments ``submission``,
``portal_url``). Receivers enqueue their tasks in this transaction (ADR 0021): the receipt and
the routing to a case are stored with the submission and run in the worker after the commit."""
