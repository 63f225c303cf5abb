"""Several uvicorn workers, each listening on a socket of its own (SO_REUSEPORT).

With `workers > 1`, uvicorn binds one socket and every worker accepts from it. asyncio
accepts every waiting connection in one go when the socket becomes readable, so a burst
of new keep-alive connections (a load balancer's pool, wrk's 32 clients) lands on
whichever worker woke first and stays there: measured on the review queue, one worker
at 1.15 cores and the other at 0.07, and throughput down to 35–45 req/s from 75–90 in
the runs where the split happened to be even (issue 17). With a listening socket per
worker bound with SO_REUSEPORT, Linux spreads new connections evenly across them.

The supervisor stays uvicorn's (`Multiprocess`: restarts, signals, graceful shutdown).
It hands each worker the sockets it was given, pickled; the one it is given here is a
`_PortReservation`, a socket bound to the address (so the port is taken before any
worker starts, and a port of 0 is chosen once) that never listens, and pickles as
"bind a new SO_REUSEPORT socket to this address". Each worker, restarted ones too,
thus listens on a socket of its own. Elsewhere than Linux (where SO_REUSEPORT does not
spread connections) and with one worker, this is plain `uvicorn.run`.
"""

from __future__ import annotations

import socket
import sys
from multiprocessing.reduction import ForkingPickler

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

SPREADS_CONNECTIONS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def run(app: str, *, workers: int, **options) -> None:
    """`uvicorn.run(app, workers=workers, **options)`, each worker on a socket of its own."""
    if workers <= 1 or not SPREADS_CONNECTIONS:
        uvicorn.run(app, workers=workers, **options)
        return
    config = uvicorn.Config(app, workers=workers, **options)
    try:
        reservation = _PortReservation.bound(config.host, config.port)
    except OSError as exc:  # as uvicorn's own bind: a logged error and its exit status
        uvicorn.config.logger.error(exc)
        sys.exit(STARTUP_FAILURE)
    host, port = reservation.getsockname()[:2]
    uvicorn.config.logger.info("Uvicorn running on http://%s:%d with %d workers, one socket each (SO_REUSEPORT)",
                               host, port, workers)
    try:
        Multiprocess(config, sockets=[reservation]).run()
    finally:
        reservation.close()


class _PortReservation(socket.socket):
    """Bound, never listening: it takes the port and gives each worker its address."""

    @classmethod
    def bound(cls, host: str, port: int) -> "_PortReservation":
        sock = cls(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        _reuse_port(sock)
        sock.bind((host, port))
        return sock


def _reuse_port(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)


def worker_socket(family: int, address: tuple) -> socket.socket:
    """In a worker: a new socket bound to the reserved address, for uvicorn to listen on."""
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    _reuse_port(sock)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def _reduce_reservation(sock: _PortReservation):
    return worker_socket, (sock.family, sock.getsockname())


ForkingPickler.register(_PortReservation, _reduce_reservation)
