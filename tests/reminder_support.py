"""Test doubles at the platform's outer edges: a local webhook server and an SMS gateway."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SENT_SMS: list[tuple[str, str]] = []
_sms_lock = threading.Lock()


class RecordingSmsGateway:
    """Stands in for an operator's SMS gateway (the third party's boundary)."""

    def send(self, phone, text):
        with _sms_lock:
            SENT_SMS.append((phone, text))


class WebhookServer:
    """A group-robot endpoint on 127.0.0.1 answering with scripted statuses, then 200."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.requests.append(body)
                    status = server.statuses.pop(0) if server.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"errcode": 0, "errmsg": "ok"}).encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/robot/send?key=test"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
