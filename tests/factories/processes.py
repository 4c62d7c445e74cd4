"""Factories for BPMN processes: models, versions, running instances and their staff tasks.

Versions and instances go through the processes app itself (``packages.add_version`` parses
the BPMN; ``engine.start`` runs the engine to its first wait), because a row with made-up engine
state could not be shown or advanced.
"""

from __future__ import annotations

import uuid
from typing import Any

import factory

from rathaus.processes import engine, packages
from rathaus.processes.models import ProcessInstance, ProcessModel, ProcessTask, ProcessVersion
from tests.factories.cases import CaseFactory
from tests.factories.core import AuthorityFactory, now


class ProcessModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessModel

    slug = factory.Sequence(lambda n: f"antrag-pruefen-{n}")
    name = factory.Sequence(lambda n: f"Antrag prüfen {n}")
    authority = factory.SubFactory(AuthorityFactory)


class ProcessVersionFactory(factory.django.DjangoModelFactory):
    """A version of the model with the BPMN of rathaus's default process."""

    class Meta:
        model = ProcessVersion

    model = factory.SubFactory(ProcessModelFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> ProcessVersion:
        bpmn, forms = packages.read_directory(packages.DEFAULT_DIRECTORY)
        version, _created = packages.add_version(kwargs.pop("model"), bpmn, forms, **kwargs)
        return version


class ProcessInstanceFactory(factory.django.DjangoModelFactory):
    """The default process started for a case, as when the case is opened."""

    class Meta:
        model = ProcessInstance

    case = factory.SubFactory(CaseFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> ProcessInstance:
        # Installed after every migrate; a test that flushed the database lost it.
        if not ProcessModel.objects.filter(is_default=True).exists():
            packages.install_default()
        instance = engine.start(kwargs["case"])
        assert instance is not None
        return instance


class ProcessTaskFactory(factory.django.DjangoModelFactory):
    """An open staff task of a running process."""

    class Meta:
        model = ProcessTask

    instance = factory.SubFactory(ProcessInstanceFactory)
    case = factory.SelfAttribute("instance.case")
    engine_task_id = factory.LazyFunction(uuid.uuid4)
    element_id = "Task_Additional"
    title = "Unterlagen prüfen"
    created_at = factory.LazyFunction(now)
