"""Connections accepted by uvicorn workers send without Nagle's delay (issue 11)."""

import asyncio
import socket

import uvicorn
from uvicorn.server import ServerState

from server.http_protocol import NoDelayH11Protocol


async def test_a_worker_connection_gets_tcp_nodelay():
    """With --workers > 1 uvicorn listens on a socket with proto 0, on which asyncio leaves
    Nagle on; without TCP_NODELAY a keep-alive client waits ~40 ms per response."""

    async def app(scope, receive, send):  # pragma: no cover - never called
        pass

    config = uvicorn.Config(app, http=NoDelayH11Protocol, log_level="warning")
    config.load()
    accepted = []

    def protocol():
        proto = NoDelayH11Protocol(config=config, server_state=ServerState(), app_state={})
        connection_made = proto.connection_made

        def record(transport):
            connection_made(transport)
            accepted.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        proto.connection_made = record
        return proto

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # as uvicorn binds for workers
    assert listener.proto == 0
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = await asyncio.get_running_loop().create_server(protocol, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(50):
            if accepted:
                break
            await asyncio.sleep(0.01)
        writer.close()
    finally:
        server.close()
    assert accepted and accepted[0] != 0
