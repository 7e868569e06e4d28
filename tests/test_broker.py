"""The laptop broker never hands a consumer a half-written message."""

import tempfile
import threading

from django.test import SimpleTestCase
from kombu import Connection, Exchange, Queue


class FilesystemBrokerTests(SimpleTestCase):
    def test_messages_arrive_whole_while_being_written(self):
        folder = tempfile.mkdtemp()
        options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": folder,
            "store_processed": False,
            # Poll without pause, as a busy worker does.
            "polling_interval": 0,
        }
        queue = Queue("race", Exchange("race"), routing_key="race")
        total = 200
        # A large body makes each write take long enough for a reader to meet it.
        body = {"padding": "x" * 2_000_000}

        def produce():
            with Connection(
                "filesystem://",
                transport="campussafety.broker:Transport",
                transport_options=options,
            ) as connection:
                producer = connection.Producer()
                for number in range(total):
                    producer.publish(
                        {**body, "n": number},
                        exchange=queue.exchange,
                        routing_key="race",
                        declare=[queue],
                    )

        received = []
        writer = threading.Thread(target=produce)
        with Connection(
            "filesystem://", transport="campussafety.broker:Transport", transport_options=options
        ) as connection:
            simple = connection.SimpleQueue(queue)
            writer.start()
            while len(received) < total:
                message = simple.get(block=True, timeout=30)
                received.append(message.payload["n"])
                message.ack()
            simple.close()
        writer.join()
        self.assertEqual(sorted(received), list(range(total)))
