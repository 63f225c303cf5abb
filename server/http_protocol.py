"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every connection (issue 11).

With `--workers N > 1`, uvicorn binds the listening socket itself with `socket.socket(
family)`, whose `proto` is 0; asyncio sets TCP_NODELAY only on sockets whose proto is
IPPROTO_TCP, so connections accepted by workers keep Nagle's algorithm. A response
written in two sends (headers, then body) then waits for the client's delayed ACK:
~40 ms added to every request on a keep-alive connection (measured: `{ __typename }`
at 1 client 10 ms with 1 worker, 46 ms with 2). Setting TCP_NODELAY when the
connection is made removes it, whatever the number of workers.
"""

from __future__ import annotations

import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # e.g. the peer is already gone
                pass
        super().connection_made(transport)
