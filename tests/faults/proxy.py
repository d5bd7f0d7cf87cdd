"""A small TCP proxy on 127.0.0.1 for fault tests: it forwards, and on command cuts, stalls or delays.

    with FaultProxy(("127.0.0.1", 5432)) as proxy:
        url = f"postgresql+psycopg://role@127.0.0.1:{proxy.port}/db"
        proxy.stall_after(b"kirjaamo_stamp")  # the server's answers stop once a packet names it
        proxy.cut()                           # every open connection is closed at once
        proxy.delay = 0.05                    # each forwarded packet waits this long

A stalled connection keeps both sockets open and moves no bytes (a silent network: the peers see nothing
wrong); `resume()` lets new connections through again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time


class _Pair:
    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.stalled = False
        self.closed = False

    def close(self) -> None:
        self.closed = True
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class FaultProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.delay = 0.0
        self.stall_pattern: bytes | None = None
        self.stall_new = False  # new connections are accepted and then never answered
        self.stalls = self.cuts = self.connections = 0
        self._pairs: list[_Pair] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._running = True
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    # -- commands --------------------------------------------------------------------------------
    def stall_after(self, pattern: bytes) -> None:
        """Stall a connection (both ways) once the client sends a packet containing `pattern`."""
        self.stall_pattern = pattern

    def stall(self) -> None:
        """Stall every open connection and every new one."""
        with self._lock:
            for pair in self._pairs:
                pair.stalled = True
        self.stall_new = True
        self.stalls += 1

    def resume(self) -> None:
        """New connections pass again (stalled ones stay stalled until cut)."""
        self.stall_pattern = None
        self.stall_new = False

    def cut(self) -> int:
        """Close every open connection; returns how many there were."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            pair.close()
        self.cuts += 1
        return len(pairs)

    def close(self) -> None:
        self._running = False
        self._thread.join(5)
        self._listener.close()
        self.cut()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def url(self, role: str, database: str) -> str:
        return f"postgresql+psycopg://{role}@127.0.0.1:{self.port}/{database}"

    # -- the pumps -------------------------------------------------------------------------------
    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            pair = _Pair(client, upstream)
            pair.stalled = self.stall_new
            with self._lock:
                self._pairs.append(pair)
                self.connections += 1
            threading.Thread(target=self._pump, args=(pair,), name="fault-proxy-pump", daemon=True).start()

    def _pump(self, pair: _Pair) -> None:
        sockets = [pair.client, pair.upstream]
        try:
            while self._running and not pair.closed:
                if pair.stalled:
                    time.sleep(0.05)
                    continue
                readable, _, _ = select.select(sockets, [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        pair.close()
                        return
                    if self.delay:
                        time.sleep(self.delay)
                    other = pair.upstream if sock is pair.client else pair.client
                    other.sendall(data)
                    pattern = self.stall_pattern
                    if sock is pair.client and pattern is not None and pattern in data:
                        pair.stalled = True  # the request went through; its answer never comes back
                        self.stalls += 1
        except OSError:
            pair.close()
        finally:
            if not self._running:
                pair.close()
