"""A real Celery worker for tests, on the configured broker (Redis in CI).

Not eager mode: tasks are serialised, sent through the broker and run by a
worker thread with its own database connection, as in production. Each test
run consumes from a queue of its own so that parallel runs sharing a Redis
server never take each other's messages.
"""

import contextlib
import os
import time
import uuid
from unittest import mock

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from campussafety.celery import app

QUEUE = f"test-{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def running_worker(concurrency=1):
    """Run a worker consuming the test queue; tasks sent with `send()` go to it.

    The queue is emptied first: an earlier test of this process may have queued tasks
    with no worker running (the default queue stays the test queue), and a test counts
    the runs of what it queued itself.
    """
    app.conf.task_default_queue = QUEUE
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(QUEUE)
    with start_worker(
        app,
        pool="threads",
        concurrency=concurrency,
        perform_ping_check=False,
        queues=[QUEUE],
        shutdown_timeout=30,
        loglevel="WARNING",
    ) as worker:
        yield worker


@contextlib.contextmanager
def task_runs():
    """Record every task run that finishes meanwhile: (task name, args, state, return value).

    The test worker's threads run in this process, so the signal reaches this list.
    A test counts from it that every message it queued actually ran, once.
    """
    runs = []

    def record(task=None, args=None, state=None, retval=None, **_):
        runs.append((task.name, tuple(args or ()), state, retval))

    task_postrun.connect(record, weak=False)
    try:
        yield runs
    finally:
        task_postrun.disconnect(record)


def send(task, *args, **kwargs):
    return task.apply_async(args=args, kwargs=kwargs, queue=QUEUE)


def wait_until(condition, timeout=30.0, interval=0.1):
    """Poll `condition` until it is true; fail with a clear message after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@contextlib.contextmanager
def unreachable_broker():
    """Point the Celery app at a port nothing listens on, then back.

    Publishing then meets a real "connection refused", not a mock. Celery caches
    its connection and producer pools on the app, so both are dropped on the way
    in and out (as Celery itself does after a fork).
    """
    conf = app.conf
    saved = (conf.broker_url, conf.broker_transport, conf.broker_transport_options)

    def drop_pools():
        app._pool = None
        app.amqp._producer_pool = None

    unreachable = "redis://127.0.0.1:1/0"
    conf.broker_url, conf.broker_transport, conf.broker_transport_options = (unreachable, None, {})
    drop_pools()
    try:
        # Celery prefers the CELERY_BROKER_URL environment variable (set in CI)
        # to its configuration.
        with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": unreachable}):
            yield
    finally:
        conf.broker_url, conf.broker_transport, conf.broker_transport_options = saved
        drop_pools()
