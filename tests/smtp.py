"""A real SMTP server on localhost for tests: the mail server is outside the machine in
production, so tests speak the protocol to this one through Django's own SMTP backend.

``mode`` decides its answer to a message: "accept", or "refuse" (451, try again later);
``delay`` holds each DATA reply that many seconds (to have two senders overlap).
"""

import socketserver
import threading
import time


class SMTPTestServer:
    def __init__(self, mode: str = "accept", delay: float = 0.0):
        self.mode, self.delay = mode, delay
        self.messages: list[bytes] = []
        self.connections = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                with outer.lock:
                    outer.connections += 1
                self.reply("220 localhost test SMTP")
                while line := self.rfile.readline():
                    command = line.decode(errors="replace").strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 localhost")
                    elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                        self.reply("250 OK")
                    elif command == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                        time.sleep(outer.delay)
                        if outer.mode == "refuse":
                            self.reply("451 4.3.0 Mail server busy, try again later")
                        else:
                            with outer.lock:
                                outer.messages.append(body)
                            self.reply("250 OK queued")
                    elif command == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def use_in(self, settings) -> None:
        """Point Django's SMTP backend at this server (``settings`` is pytest-django's)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
