"""A task the worker tests enqueue; it lives here so the worker process can import it."""

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b
