"""Is the API's port free? Standard library only, so that `make run` can ask it with the
system Python before it installs anything (a fresh clone with the port taken fails in
seconds, not after the install), and `cosell serve` asks the same before it announces
anything.

    python3 server/port_check.py      # COSELL_HOST (127.0.0.1) and COSELL_PORT (8000); exit 1 if taken
"""

from __future__ import annotations

import os
import socket
import sys


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (another process holds it), or None. A race with
    a process binding the port right after this check still ends in uvicorn's error."""
    if port == 0:  # the system picks a free port
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is not "taken"
        try:
            probe.bind((host, port))
        except OSError as exc:
            return (f"cannot listen on {host}:{port} ({exc.strerror or exc}): another process probably serves "
                    f"there. Choose another port: COSELL_PORT={port + 1} make run, or cosell serve --port "
                    f"{port + 1} (COSELL_PORT / --port; --host / COSELL_HOST for the address).")
    return None


def main() -> int:
    host = os.environ.get("COSELL_HOST") or "127.0.0.1"
    try:
        port = int(os.environ.get("COSELL_PORT") or 8000)
    except ValueError:
        return 0  # `cosell serve` reports an invalid COSELL_PORT with the rest of the settings
    problem = port_problem(host, port)
    if problem:
        print(f"cosell: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
