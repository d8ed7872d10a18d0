"""The statements a request runs, for tests that count or read them."""

from contextlib import ExitStack, contextmanager

from celery.signals import task_postrun, task_prerun
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.db_router import REPLICA


class Statements:
    """What was captured: every database's statements, less those of Celery tasks."""

    def __init__(self, contexts):
        self.contexts = contexts
        self.in_tasks = {alias: [] for alias in contexts}  # (from, to) index ranges

    def of(self, alias: str) -> list[dict]:
        queries = self.contexts[alias].captured_queries
        skipped = {i for start, end in self.in_tasks[alias] for i in range(start, end)}
        return [query for i, query in enumerate(queries) if i not in skipped]

    @property
    def captured_queries(self) -> list[dict]:
        return [query for alias in self.contexts for query in self.of(alias)]

    def __iter__(self):
        return iter(self.captured_queries)

    def __len__(self) -> int:
        return len(self.captured_queries)


@contextmanager
def statements_captured():
    """The statements run inside the block on every configured database (a read replica's
    too: tests/through_replica.py). Through the replica the test's writes are committed, so
    a task the request enqueues on commit runs inside it (eagerly); a worker runs it in
    production, and its statements are left out. Otherwise on-commit tasks never run in a
    test, and every statement counts."""
    with ExitStack() as stack:
        contexts = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in connections.settings
        }
        captured = Statements(contexts)
        started: list[dict[str, int]] = []

        def task_started(**kwargs):
            started.append({alias: len(c.captured_queries) for alias, c in contexts.items()})

        def task_ended(**kwargs):
            if not started:
                return
            start = started.pop()
            if started:  # a task inside a task: the outer one's range covers it
                return
            for alias, context in contexts.items():
                captured.in_tasks[alias].append((start[alias], len(context.captured_queries)))

        if REPLICA in connections.settings:
            task_prerun.connect(task_started, weak=False)
            task_postrun.connect(task_ended, weak=False)
            stack.callback(task_prerun.disconnect, task_started)
            stack.callback(task_postrun.disconnect, task_ended)
        yield captured
