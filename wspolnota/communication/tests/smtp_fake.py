"""Just enough SMTP for Django's backend, for tests that need a real connection.

One server for the tests' two ways of misbehaving after DATA: dropping the connection before
answering (``drop``: the message is queued but the sender never hears "250"), and holding the
answer to the Nth message until released (``hold_at``: a worker can be killed while it waits).
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from typing import Any


class SmtpSink(socketserver.ThreadingTCPServer):
    """Keeps every message it receives, in order."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, *, hold_at: int | None = None, drop: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[bytes] = []
        self.lock = threading.Lock()
        self.drop = drop
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()

    def received(self) -> list[Any]:
        with self.lock:
            return [message_from_bytes(m) for m in self.messages]

    def start(self) -> SmtpSink:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpSink

    def reply(self, line: str) -> None:
        try:
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()
        except OSError:  # the client was killed while we held the reply
            pass

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                if not self._take_message():
                    return  # queued for delivery, but the connection drops before "250"
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")

    def _take_message(self) -> bool:
        """Reads one message; False when the server drops the connection instead of answering."""
        lines = []
        while True:
            data = self.rfile.readline()
            if not data or data == b".\r\n":
                break
            lines.append(data[1:] if data.startswith(b"..") else data)
        with self.server.lock:
            self.server.messages.append(b"".join(lines))
            count = len(self.server.messages)
        if self.server.drop:
            return False
        if count == self.server.hold_at:
            self.server.holding.set()
            self.server.release.wait(timeout=300)
        return True
