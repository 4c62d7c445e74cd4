"""Signals other apps listen to, so that cases does not depend on them.

``case_message`` is sent when something happens that a case's process may be waiting for (the
applicant sent documents, answered a message). Receivers run in the sender's transaction.
Arguments: ``case``, ``name`` (the BPMN message name), ``actor`` (a staff user or None) and
``payload`` (a dict).
"""

from django.dispatch import Signal

case_message = Signal()

case_opened = Signal()
"""Sent in the transaction that opens a case (argument ``case``); starts its process."""

case_closed = Signal()
"""Sent when a person closes a case by hand (arguments ``case``, ``actor``); ends its process."""
