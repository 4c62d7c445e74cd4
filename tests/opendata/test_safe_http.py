"""safe_http: the deadline bounds the whole request, also against a server that drips its
answer, and addresses that embed a private IPv4 address (NAT64, 6to4) are refused."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from rathaus.opendata import safe_http


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A server that sends one byte every 0.2 s: first the header, then an endless body."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 10_000

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            with client:
                for byte in answer:
                    if stop.is_set():
                        break
                    try:
                        client.sendall(bytes([byte]))
                    except OSError:
                        break
                    time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.mark.parametrize("header_only", [True, False])
def test_a_dripping_server_is_cut_off_at_the_deadline(dripping_server, settings, header_only):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    started = time.monotonic()
    with pytest.raises(safe_http.FetchError, match="Keine Antwort in der vorgesehenen Zeit"):
        # The header alone takes 9 s at this pace, the body 30 min.
        safe_http.fetch(
            dripping_server, timeout=1.5, max_bytes=1_000_000,
            method="HEAD" if header_only else "GET",
        )  # fmt: skip
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::808:808",  # IPv4-compatible, deprecated even for a public address
        "::ffff:10.0.0.1",
    ],
)
def test_ipv6_addresses_that_lead_into_a_private_network_are_refused(address):
    with pytest.raises(safe_http.FetchError):
        safe_http.check_address(address)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    safe_http.check_address(address)
