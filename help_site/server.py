"""Serves the help-site page, the widget and the socket.io client built by the set-up step.

`/config.js` tells the widget where Rasa's socket.io channel is. A Content-Security-Policy
allows scripts from this origin only, a second line of defence behind the widget's
text-only rendering. A request's line and headers must arrive within the header deadline of
common/request_deadlines.py, else a 408 and the connection is closed: every connection holds a
thread here. Only GET and HEAD are served, so no body is ever waited for.
"""

from __future__ import annotations

import json
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from common.request_deadlines import header_seconds, timeout_response

HERE = Path(__file__).resolve().parent
PUBLIC = HERE / "public"
SOCKET_IO_CLIENT = HERE / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def content_security_policy(socket_url: str) -> str:
    parts = urlsplit(socket_url)
    websocket = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {parts.scheme}://{parts.netloc} {websocket}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def config_script(socket_url: str) -> bytes:
    # What the host page set before this script (an identity token, say) wins.
    config = json.dumps({"socketUrl": socket_url})
    return (
        f"window.NuGetAssistantConfig = Object.assign({config}, window.NuGetAssistantConfig);\n"
    ).encode()


class HelpSiteHandler(SimpleHTTPRequestHandler):
    socket_url = "http://localhost:5005"
    late = False  # cut off by the header deadline

    def handle_one_request(self) -> None:
        self.deadline = threading.Timer(header_seconds(), self.cut_off)
        self.deadline.daemon = True
        self.deadline.start()
        try:
            super().handle_one_request()
        except OSError:  # cut off, or the client went away, mid-request
            self.close_connection = True
        finally:
            self.deadline.cancel()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.deadline.cancel()
        return parsed and not self.late  # once cut off, nothing more is answered

    def cut_off(self) -> None:
        """Runs in the timer's thread while the handler's waits for the rest of the headers."""
        self.late = True
        print(json.dumps({"event": "help_site_request_timeout"}), flush=True)
        try:
            self.connection.sendall(timeout_response("HTTP/1.0"))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path == "/config.js":
            self._send_bytes(config_script(self.socket_url), "text/javascript")
        elif path == "/vendor/socket.io.min.js":
            self._send_bytes(SOCKET_IO_CLIENT.read_bytes(), "text/javascript")
        else:
            super().do_GET()

    def list_directory(self, path: str) -> None:
        # A folder without index.html is not a page: no listing of what the site holds.
        self.send_error(404, "File not found")
        return None

    def _send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy(self.socket_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        # Request lines only (no query strings, no client data) as one JSON line each.
        print(json.dumps({"event": "help_site_request", "line": self.requestline.split("?")[0]}))


def make_server(host: str, port: int, socket_url: str) -> ThreadingHTTPServer:
    if not SOCKET_IO_CLIENT.exists():
        raise SystemExit(f"{SOCKET_IO_CLIENT} is missing: run `make setup` (npm ci in help_site)")
    handler = type("Handler", (HelpSiteHandler,), {"socket_url": socket_url})
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(PUBLIC)))
