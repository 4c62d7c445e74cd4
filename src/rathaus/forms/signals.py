"""Signals the apps above forms listen to, so that forms does not depend on them."""

from django.dispatch import Signal

submission_stored = Signal()
"""Sent in the transaction that stores a new submission (arguments ``submission``,
``portal_url``). Receivers schedule their work with ``transaction.on_commit``: the receipt and
the routing to a case run in the worker once the submission is committed."""
