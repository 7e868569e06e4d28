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


class Transport(filesystem.Transport):
    Channel = Channel
