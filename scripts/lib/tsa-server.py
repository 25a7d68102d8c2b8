#!/usr/bin/env python3
"""A local RFC 3161 time-stamping server for the release-signing test.

    tsa-server.py CONFIG_DIR PORT_FILE

Listens on 127.0.0.1 (a port the OS picks, written to PORT_FILE), answers every
POSTed TimeStampReq with `openssl ts -reply` using CONFIG_DIR/tsa.cnf (signer
certificate, key, serial file: see scripts/test-release-signing.sh), so the
answers are real openssl-made timestamps. Runs until killed.
"""
import http.server
import os
import subprocess
import sys
import tempfile

conf_dir, port_file = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory() as d:
            q, r = os.path.join(d, "q.tsq"), os.path.join(d, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            p = subprocess.run(["openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", q, "-out", r],
                               cwd=conf_dir, capture_output=True)
            if p.returncode != 0:
                self.send_response(500)
                self.end_headers()
                return
            with open(r, "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.replace(port_file + ".tmp", port_file)
srv.serve_forever()
