"""Service tasks as the process engine sees them: run the handler registered for a topic.

A model names a handler with ``camunda:topic`` on a service task (type "external"). Each handler
gets a :class:`Context` with the case, the person whose action moved the process (``None`` for
the worker: timers, messages), the parameters of the task and the process data, and runs inside
a savepoint of the transaction that advances the process. If it raises, its database changes are
rolled back, the process stops at that task with the error shown on the case page, and a clerk
can retry it. Messages and e-mails are sent only after the commit.

The handlers live in the apps whose work they do and register in their ``AppConfig.ready()``
with :data:`service_tasks` (defined in ``rathaus.core.service_tasks``, below every app): the
case handlers — ``set_status``, ``send_message``, ``request_documents``, ``remind_applicant``,
``reply_to_applicant``, ``generate_decision``, ``escalate``, ``forward`` — are in
``rathaus.cases.process_tasks``. The engine writes no case tables itself (ADR 0020).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from rathaus.core.plugins import UnknownPlugin
from rathaus.core.service_tasks import Context, Handler, HandlerFailed, service_tasks

__all__ = ["Context", "Handler", "HandlerFailed", "run", "service_tasks"]


def run(topic: str, context: Context) -> None:
    try:
        function = service_tasks.get(topic)
    except UnknownPlugin:
        raise HandlerFailed(
            _("There is no handler for the topic “%(topic)s”.") % {"topic": topic}
        ) from None
    function(context)
