"""Local stand-ins for what a served project sends to: an SMTP server (MailSink), an HTTP endpoint (PostSink)."""

from __future__ import annotations

import gzip
import http.client
import http.server
import socketserver
import threading
from typing import Self


class _SMTPSession(socketserver.StreamRequestHandler):
    """One client of MailSink: every command is accepted; the text of each DATA goes to the server's `messages`."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"DATA":
                self.wfile.write(b"354 end with .\r\n")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line)
                self.server.messages.append(b"".join(lines).decode())
                self.wfile.write(b"250 ok\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO (no extensions offered), MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


class MailSink(socketserver.ThreadingTCPServer):
    """An SMTP server on a free loopback port (`port`) that takes every mail and keeps its raw text (`messages`),
    in the order received. A mail is in `messages` before the server answers the client's DATA, so before the
    request that sent it is answered. Use it as a context manager."""

    daemon_threads = True

    def __init__(self):
        self.messages: list[str] = []
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def __exit__(self, *exc_info) -> None:
        self.shutdown()
        super().__exit__(*exc_info)


class PostSink:
    """A local HTTP endpoint that stands in for a service the app reports to (Sentry, an OpenTelemetry collector):
    it answers every POST with 200, REPLY and REPLY_TYPE, and keeps each one's path, Content-Type and body (gunzipped
    when its Content-Encoding is gzip) in `received`, in order. Serves from a thread, as a context manager."""

    REPLY = b""
    REPLY_TYPE = "application/json"

    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        received, reply, reply_type = self.received, self.REPLY, self.REPLY_TYPE

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(200)
                self.send_header("Content-Type", reply_type)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
