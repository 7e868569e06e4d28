"""The laptop broker: kombu's filesystem transport, with messages written atomically.

kombu's filesystem transport creates a message file and then writes into it,
while a consumer lists the folder, moves the file away and reads it: between
the two the consumer can read an empty or half-written message, and the worker
stops on the JSON error (celery/kombu#1551 shows the symptom). Here a message is
written under a name no consumer looks at and renamed into place, which is
atomic on one filesystem, so a consumer sees a whole message or none.
"""

import os
import uuid
from time import monotonic

from celery.worker import state as worker_state
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The same name kombu gives a message, so consumers find and order it as usual.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # No ".<queue>.msg" ending: invisible to consumers until renamed.
        partial = os.path.join(self.data_folder_out, f"partial-{uuid.uuid4()}")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add message {name!r}") from exc


def stopping() -> bool:
    """A warm or cold shutdown was asked for (SIGTERM, SIGINT, SIGQUIT) in this worker."""
    return any(
        flag is not None and flag is not False
        for flag in (worker_state.should_stop, worker_state.should_terminate)
    )


class Transport(filesystem.Transport):
    """The filesystem transport, which also notices a worker's shutdown between polls.

    A transport without a socket runs Celery's blocking loop, which waits here
    2 s per call and calls once more after the shutdown flag is seen: with the
    polling in between an idle worker took several seconds to leave on SIGTERM,
    long enough for honcho to kill it, or to be orphaned when honcho went first.
    Waiting one poll at a time and stopping as soon as the flag is set lets it
    leave within a poll or two.
    """

    Channel = Channel

    def drain_events(self, connection, timeout=None):
        start = monotonic()
        while True:
            try:
                return super().drain_events(connection, timeout=self.polling_interval)
            except TimeoutError:
                if stopping() or (timeout is not None and monotonic() - start >= timeout):
                    raise
