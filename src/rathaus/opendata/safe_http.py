"""Requests to addresses that came from outside (harvested catalogues, distribution links),
made so that they cannot be turned against the machine or its network (SSRF).

Only http and https; the host name is resolved once, every address it resolves to must be a
public one (or lie in ``RATHAUS_FETCH_ALLOWED_NETWORKS``), and the connection goes to exactly
the address that was checked, so a second DNS answer cannot point elsewhere. Redirects are
followed by hand, each hop checked the same way. Every answer is cut off at a byte limit and the
whole exchange at a deadline.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class FetchError(Exception):
    """The address could not be fetched; the message says why in plain words."""


class TooLarge(FetchError):
    pass


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(net, strict=False) for net in settings.RATHAUS_FETCH_ALLOWED_NETWORKS
    ]


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052) and those
# that are never a public destination (IPv4-compatible, deprecated; local-use NAT64, RFC 8215).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REFUSED_V6 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translated IPv6 address leads to (mapped, NAT64, 6to4)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def check_address(address: str) -> None:
    """FetchError unless ``address`` (an IP address) is public or explicitly allowed."""
    ip = ipaddress.ip_address(address.split("%")[0])
    allowed = _allowed_networks()
    if any(ip in net for net in allowed):
        return
    refused = FetchError(_("The address %(ip)s is in a private or local network.") % {"ip": ip})
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is None and any(ip in net for net in _REFUSED_V6):
            raise refused
        if embedded is not None:
            ip = embedded
            if any(ip in net for net in allowed):
                return
    if not ip.is_global or ip.is_multicast:
        raise refused


def resolve(url: str) -> tuple[str, int, str]:
    """(host, port, checked IP address) of an http(s) URL; FetchError if it must not be used."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(_("Only http and https addresses are allowed."))
    host = parts.hostname
    if not host:
        raise FetchError(_("The address has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(_("The address has an invalid port.")) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_("The host name %(host)s is not known.") % {"host": host}) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise FetchError(_("The host name %(host)s is not known.") % {"host": host})
    for address in addresses:
        check_address(address)
    return host, port, addresses[0]


def _remaining(deadline: float) -> float:
    """Seconds left until the deadline; TimeoutError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


class _DeadlineReader(io.RawIOBase):
    """Reads from the socket with the timeout set to what is left before every receive: a
    server that drips one byte at a time cannot hold the request past the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open while read
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(_remaining(self._deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """The connection's socket as http.client uses it (sendall, makefile, close), bounded by
    the deadline on every send and receive."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(_remaining(self._deadline))
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline), _CHUNK)

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=_remaining(deadline))
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), _remaining(self._deadline))
        self.sock = _DeadlineSocket(sock, self._deadline)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(
            host, port, timeout=_remaining(deadline), context=ssl.create_default_context()
        )
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), _remaining(self._deadline))
        # The handshake does not go through the deadline reader: the socket timeout bounds
        # each of its few receives by what is left.
        sock.settimeout(_remaining(self._deadline))
        tls = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        self.sock = _DeadlineSocket(tls, self._deadline)


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> Response:
    """One request with redirects followed (each hop checked); the body up to ``max_bytes``
    (TooLarge beyond), the whole exchange within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        response = _once(url, method, headers or {}, deadline, max_bytes)
        location = response.headers.get("location")
        if response.status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            if response.status == 303:
                method = "GET"
            continue
        return response
    raise FetchError(_("More than %(count)d redirects.") % {"count": MAX_REDIRECTS})


def _once(
    url: str, method: str, headers: dict[str, str], deadline: float, max_bytes: int
) -> Response:
    host, port, address = resolve(url)
    parts = urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(_("No answer in time."))
    kind = _TLSConnection if parts.scheme == "https" else _Connection
    connection = kind(host, port, address, deadline)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            method,
            path,
            headers={"User-Agent": "rathaus", "Accept-Encoding": "identity", **headers},
        )
        answer = connection.getresponse()
        found = {key.lower(): value for key, value in answer.getheaders()}
        declared = found.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(_("The answer is larger than %(bytes)d bytes.") % {"bytes": max_bytes})
        body = bytearray()
        if method != "HEAD":
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(_("No answer in time."))
                chunk = answer.read(_CHUNK)
                if not chunk:
                    break
                body += chunk
                if len(body) > max_bytes:
                    raise TooLarge(
                        _("The answer is larger than %(bytes)d bytes.") % {"bytes": max_bytes}
                    )
        return Response(url, answer.status, found, bytes(body))
    except TimeoutError:
        raise FetchError(_("No answer in time.")) from None
    except ssl.SSLError as exc:
        raise FetchError(
            _("Secure connection failed (%(reason)s).") % {"reason": exc.reason or exc}
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(_("Connection failed (%(reason)s).") % {"reason": exc}) from None
    finally:
        connection.close()
