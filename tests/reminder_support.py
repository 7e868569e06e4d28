"""Test doubles at the platform's outer edges: a local webhook server and an SMS gateway."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reminders.delivery import record
from reminders.models import Delivery
from reminders.registry import KINDS, Due
from schools.models import District

SENT_SMS: list[tuple[str, str]] = []
_sms_lock = threading.Lock()


class RecordingSmsGateway:
    """Stands in for an operator's SMS gateway (the third party's boundary)."""

    def send(self, phone, text):
        with _sms_lock:
            SENT_SMS.append((phone, text))


class WebhookServer:
    """An HTTP endpoint on 127.0.0.1 (a group robot, an SMS gateway) for the real client.

    Answers each POST with the next scripted status, or (status, JSON body), then
    200 with the robots' {"errcode": 0}; records each request's JSON body and headers.
    Calling it needs WEBHOOK_ALLOW_PRIVATE_IPS for a webhook: it is on loopback.
    """

    OK = {"errcode": 0, "errmsg": "ok"}

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    answer = server.statuses.pop(0) if server.statuses else 200
                status, answer_body = answer if isinstance(answer, tuple) else (answer, server.OK)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer_body).encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/robot/send?key=test"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def record_missing_log(user) -> Delivery:
    """Record one "missing duty log" reminder for `user`; return its webhook delivery."""
    record(
        [
            Due(
                "missing_log",
                subject="postperiod:1",
                due="2026-11-23",
                user_id=user.pk,
                params={
                    "date": "2026-11-23",
                    "school": "滨州实验学校",
                    "post": "南门护学岗",
                    "period": "morning",
                    "end": "07:50",
                },
            )
        ]
    )
    return Delivery.objects.get(channel="webhook")


def assert_parts_make_the_whole(case, kind, moment):
    """A fanned-out kind's district parts, together, find what its city-wide sweep finds:
    each item once, and none the whole sweep does not. Returns the whole's items."""
    reminder = KINDS[kind]
    case.assertTrue(reminder.fans_out, kind)

    def items(dues):
        return sorted((due.key, due.school_id, repr(due.params)) for due in dues)

    whole = items(reminder.sweep(moment))
    parts = items(
        due
        for district in District.objects.values_list("pk", flat=True)
        for due in reminder.sweep_districts(moment, [district])
    )
    case.assertEqual(parts, whole, kind)
    return whole
