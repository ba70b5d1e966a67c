"""A server that cannot have its port leaves no socket behind, so the caller can try another
(the firm falls back to a free port when the configured one is taken)."""

from __future__ import annotations

import gc
import socket
import warnings

import pytest
from fastapi import FastAPI

from directbroker.adapters.http.server import ApiServer


def test_a_taken_port_raises_and_leaks_no_socket() -> None:
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            with pytest.raises(OSError):
                ApiServer(FastAPI(), "127.0.0.1", taken.getsockname()[1])
            gc.collect()  # an unclosed socket would warn (as an error) when collected here
    finally:
        taken.close()
