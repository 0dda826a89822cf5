"""A TCP proxy to PostgreSQL or Redis for fault tests, in the test's process or as a process of
its own.

In the test's process it can be cut (every connection dropped: the service refuses) and
restored, or stalled (connections are accepted, nothing is passed on either way) and resumed.
As a process of its own (``python -m tests.system.proxy HOST PORT``, which prints the port it
listens on) it can be stopped with SIGSTOP: its kernel still accepts connections and
acknowledges what is sent, but nothing comes back, as when a database hangs. That is the case
that neither a server-side statement timeout nor TCP keepalives catch quickly.

It imports nothing from Django, so that it starts at once.
"""

import select
import socket
import sys
import threading


class Proxy:
    """A TCP proxy that can be cut (every connection dropped) and restored, or stalled (nothing
    passed on) and resumed."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list[socket.socket] = []
        self.listener.listen(64)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            threading.Thread(target=self.pipe, args=(client, upstream), daemon=True).start()

    def pipe(self, a, b):
        try:
            while True:
                if not self.flowing.wait(0.5):
                    continue  # stalled: what was sent waits in the kernel's buffers
                readable, _, _ = select.select([a, b], [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        except (OSError, ValueError):  # ValueError: select() on a socket cut() has closed
            return

    def cut(self):
        self.open = False
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
        self.sockets = []

    def restore(self):
        self.open = True

    def stall(self):
        self.flowing.clear()

    def resume(self):
        self.flowing.set()

    def close(self):
        self.cut()
        self.listener.close()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    proxy = Proxy((host, port))
    print(proxy.port, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
