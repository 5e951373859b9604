"""A real SMTP server for the tests (aiosmtpd, Debian's python3-aiosmtpd) on 127.0.0.1:PORT
that writes each message it takes to DIR/NNNN.eml as text (its envelope's recipients, its
headers, its body decoded from any transfer encoding), and says "ready" once it listens. The
test kills it when done."""

import email
import email.policy
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        text = "X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\n"
        text += "".join(f"{k}: {v}\n" for k, v in msg.items())
        text += "\n" + msg.get_content().replace("\r\n", "\n")
        tmp = os.path.join(self.out, f".{n:04}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(tmp, os.path.join(self.out, f"{n:04}.eml"))
        return "250 Message accepted"


port, out = int(sys.argv[1]), sys.argv[2]
controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
threading.Event().wait()
