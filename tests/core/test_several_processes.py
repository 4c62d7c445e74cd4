"""State that several web and worker processes share must be the same in each of them."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from rathaus.conf import demo_secret_key

PROCESSES = 8


def _key_after_barrier(path: str, barrier, results) -> None:
    barrier.wait()  # all start together, as gunicorn's workers do on the first start
    results.put(demo_secret_key(Path(path)))


def test_processes_starting_together_share_one_demo_secret_key(tmp_path):
    path = tmp_path / "secret-key"
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_key_after_barrier, args=(str(path), barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    keys = {results.get(timeout=30) for _ in processes}
    for process in processes:
        process.join(timeout=30)

    assert keys == {path.read_text().strip()}
    assert len(next(iter(keys))) >= 50
    assert sorted(item.name for item in tmp_path.iterdir()) == ["secret-key"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_process_that_lost_the_race_takes_the_key_of_the_first(tmp_path, monkeypatch):
    """The interleaving the test above hopes for, made certain: this process found no key, and
    another process wrote its key before this one could."""
    from rathaus import conf

    path = tmp_path / "secret-key"
    first = "k" * 60
    path.write_text(first + "\n")
    reads = iter([None])
    read = conf._read_key
    monkeypatch.setattr(conf, "_read_key", lambda where: next(reads, read(where)))

    assert demo_secret_key(path) == first
    assert path.read_text().strip() == first
    assert sorted(item.name for item in tmp_path.iterdir()) == ["secret-key"]


def test_a_damaged_demo_key_is_replaced(tmp_path):
    path = tmp_path / "secret-key"
    path.write_text("short\n")

    key = demo_secret_key(path)

    assert len(key) >= 50
    assert demo_secret_key(path) == key
