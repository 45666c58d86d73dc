"""Sends a generated client's calls through the real segment-analytics-python to a
capture server on an ephemeral local port, and writes what arrived as NDJSON.

    python send.py ROOT PACKAGE OUT.ndjson [DENIED_PURPOSE]

ROOT/PACKAGE holds the client (tracking.py) and calls.py, whose run() makes the
calls (and whose bad(), when present, makes calls that break the plan's
constraints). Prints {"violations": [...], "bad": [...]} on stdout: what
on_violation reported for run() and for bad().
"""

import gzip
import importlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

root, package, out = sys.argv[1:4]
denied = sys.argv[4] if len(sys.argv) > 4 else None
received = []
lock = threading.Lock()


class Capture(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with lock:
            received.extend(json.loads(body)["batch"])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
threading.Thread(target=server.serve_forever, daemon=True).start()

from segment.analytics import Client  # noqa: E402

errors = []
client = Client(
    "eventsc-test",
    host=f"http://127.0.0.1:{server.server_address[1]}",
    sync_mode=True,
    max_retries=0,
    on_error=lambda e, batch: errors.append(repr(e)),
)
sys.path.insert(0, root)
tracking = importlib.import_module(package + ".tracking")
calls = importlib.import_module(package + ".calls")
result = {"violations": [], "bad": []}
consent = None if denied is None else (lambda purpose: purpose != denied)


def record(into):
    return lambda v: into.append({"call": v.call, "path": v.path, "message": v.message})


tracking.set_analytics(client, on_violation=record(result["violations"]), consent=consent)
calls.run()
if hasattr(calls, "bad"):
    tracking.set_analytics(client, on_violation=record(result["bad"]), consent=consent)
    calls.bad()
client.flush()
server.shutdown()
if errors:
    sys.stderr.write("segment-analytics-python reported errors: " + "; ".join(errors) + "\n")
    sys.exit(1)
with open(out, "w", encoding="utf-8") as f:
    for m in received:
        f.write(json.dumps(m) + "\n")
sys.stdout.write(json.dumps(result))
