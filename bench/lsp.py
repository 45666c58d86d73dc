#!/usr/bin/env python3
"""Benchmark of `eventsc lsp`: the time from sending `textDocument/didChange` to
receiving `textDocument/publishDiagnostics` for that version, on a synthetic plan
(`eventsc synth`, default 2,000 events x 20 properties, one 2 MB file).

Measured, each over several edits spread through the file:
  open      didOpen of the plan -> first diagnostics (everything parsed and checked)
  event     an edit inside an event's body, after the server went idle (the fast
            analysis: only the edited event is re-parsed and re-lowered)
  typing    the same edits sent every 30 ms without pause, as while typing
  pauses    the same edits 250 ms apart: each lands while the full analysis
            started by the previous pause runs (on another thread)
  broken    an edit that leaves an event not parsing (unterminated string)
  decl      an edit to a consent purpose (every event depends on it: full analysis)

Usage: bench/lsp.py [--events N] [--edits N] [--bin PATH] [--log FILE]
Needs only Python 3; builds the release binary unless --bin is given.
"""

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time


class Server:
    def __init__(self, binary, folder, log=None):
        env = dict(os.environ)
        if log:
            env["EVENTSC_LSP_LOG"] = "1"
        self.proc = subprocess.Popen(
            [binary, "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(log, "w") if log else subprocess.DEVNULL,
            env=env,
        )
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        uri = "file://" + folder
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": uri,
                "capabilities": {},
                "workspaceFolders": [{"uri": uri, "name": "bench"}],
            },
        )
        self.notify("initialized", {})

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return time.perf_counter()

    def notify(self, method, params):
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m)[1]

    def wait(self, pred, timeout=120):
        deadline = time.time() + timeout
        while True:
            at, msg = self.messages.get(timeout=max(0.01, deadline - time.time()))
            if pred(msg):
                return at, msg

    def published(self, uri, version):
        return self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def position(text, offset):
    before = text[:offset]
    line = before.count("\n")
    start = before.rfind("\n") + 1
    character = len(before[start:].encode("utf-16-le")) // 2
    return {"line": line, "character": character}


def stats(name, samples):
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    print(
        f"{name:<8} {len(ms):>5} {statistics.median(ms):>10.1f} {p90:>10.1f} {ms[-1]:>10.1f}"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--bin")
    ap.add_argument("--log", help="write the server's log (with analysis times) here")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = args.bin
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=root, check=True)
        binary = os.path.join(root, "target", "release", "eventsc")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "plan.events")
        subprocess.run(
            [binary, "synth", "--events", str(args.events), "--out", path], check=True
        )
        with open(path, encoding="utf-8") as f:
            text = f.read()
        uri = "file://" + path
        size_mb = len(text.encode()) / 1e6
        print(f"plan: {args.events} events, {size_mb:.1f} MB, {text.count(chr(10))} lines")
        print(f"{'':<8} {'edits':>5} {'median_ms':>10} {'p90_ms':>10} {'max_ms':>10}")

        server = Server(binary, folder, args.log)
        version = 1
        sent = server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "events", "version": 1, "text": text}},
        )
        at, _ = server.published(uri, 1)
        stats("open", [at - sent])

        # Edit sites: the `owner` line of events spread through the file.
        sites = []
        start = 0
        while True:
            i = text.find("  owner @growth\n", start)
            if i < 0:
                break
            sites.append(i + len("  owner @growth"))
            start = i + 1
        step = max(1, len(sites) // args.edits)
        sites = sites[::step][: args.edits]

        def change(offset, old_len, new, pause):
            nonlocal text, version
            version += 1
            rng = {"start": position(text, offset), "end": position(text, offset + old_len)}
            text = text[:offset] + new + text[offset + old_len :]
            sent = server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": rng, "text": new}],
                },
            )
            at, msg = server.published(uri, version)
            if pause:
                time.sleep(pause)
            return at - sent, msg["params"]["diagnostics"]

        # An event's owner misspelt (E0025), then fixed: both publish.
        event, typing, pauses = [], [], []
        for pause, out in ((0.6, event), (0.03, typing), (0.25, pauses)):
            for s in sites:
                t, diags = change(s, 0, "x", pause)
                assert [d["code"] for d in diags] == ["E0025"], diags
                out.append(t)
                t, diags = change(s, 1, "", pause)
                assert diags == [], diags
                out.append(t)
            time.sleep(0.6)
        stats("event", event)
        stats("typing", typing)
        stats("pauses", pauses)

        broken = []
        for s in sites:
            desc = text.rfind('description "', 0, s) + len("description ")
            t, diags = change(desc, 1, "", 0.6)  # drop the opening quote
            assert diags, "a syntax error"
            broken.append(t)
            t, diags = change(desc, 0, '"', 0.6)
            assert diags == [], diags
            broken.append(t)
        stats("broken", broken)

        decl = []
        i = text.find("consent marketing { basis consent }")
        i += len("consent marketing { basis ")
        for _ in range(max(2, args.edits // 4)):
            t, _ = change(i, len("consent"), "contract", 0.2)
            decl.append(t)
            t, _ = change(i, len("contract"), "consent", 0.2)
            decl.append(t)
        stats("decl", decl)
        server.close()


if __name__ == "__main__":
    sys.exit(main())
