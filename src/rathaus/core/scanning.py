"""Virus scanners for uploaded files: one interface, implementations chosen by configuration.

``RATHAUS_VIRUS_SCANNER`` names the implementation in :data:`scanners` (the ids are repeated in
:data:`rathaus.conf.VIRUS_SCANNERS`, which parses the setting before any app is ready):

- ``clamav`` talks to a clamd daemon (``RATHAUS_CLAMD_ADDRESS``) over its own socket protocol.
  It fails closed: when clamd cannot be reached, does not answer in time or answers with an
  error, :class:`ScannerUnavailable` is raised and the caller must refuse the file.
- ``none`` accepts everything; it is meant for development, and production mode reports a
  system check warning while it is configured.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from rathaus.conf import VIRUS_SCANNERS
from rathaus.core.plugins import Registry

CHUNK_BYTES = 64 * 1024  # clamd's default StreamMaxLength is far larger; chunks keep memory flat
MAX_REPLY_BYTES = 4096


@dataclass(frozen=True)
class ScanResult:
    """What the scanner found: ``clean`` or the name of the signature that matched."""

    clean: bool
    signature: str = ""


class ScannerUnavailable(Exception):
    """The configured scanner could not give an answer; the file must not be accepted."""


class Scanner(Protocol):
    name: str

    def scan(self, stream: BinaryIO) -> ScanResult:
        """Scan the stream from its current position to its end."""
        ...

    def ping(self) -> None:
        """Return if the scanner is ready, raise :class:`ScannerUnavailable` otherwise."""
        ...


ScannerFactory = Callable[[], Scanner]
# Filled by CoreConfig.ready(); rathaus.conf.VIRUS_SCANNERS must name the same ids (rathaus.E021).
scanners: Registry[ScannerFactory] = Registry("virus scanner", setting="RATHAUS_VIRUS_SCANNER")


def get_scanner() -> Scanner:
    """The scanner chosen by ``RATHAUS_VIRUS_SCANNER``, configured from the settings."""
    return scanners.get(settings.RATHAUS_VIRUS_SCANNER)()


class NoScanner:
    """Accepts every file without looking at it (development only)."""

    name = "none"

    def scan(self, stream: BinaryIO) -> ScanResult:
        return ScanResult(clean=True)

    def ping(self) -> None:
        return None


class ClamAVScanner:
    """Scans through clamd's INSTREAM command; every failure raises ScannerUnavailable."""

    name = "clamav"

    def __init__(self, address: str, timeout: float, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.address = address
        self.timeout = timeout
        self.chunk_bytes = chunk_bytes

    def _connect(self) -> socket.socket:
        if not self.address:
            raise ScannerUnavailable("RATHAUS_CLAMD_ADDRESS is empty")
        try:
            if self.address.startswith("/"):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                try:
                    sock.connect(self.address)
                except BaseException:
                    sock.close()
                    raise
                return sock
            parts = urlsplit(self.address)
            if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
                raise ScannerUnavailable(f"cannot use clamd address {self.address!r}")
            return socket.create_connection((parts.hostname, parts.port), timeout=self.timeout)
        except OSError as exc:
            raise ScannerUnavailable(f"cannot connect to clamd at {self.address}: {exc}") from exc

    def _reply(self, sock: socket.socket, deadline: float) -> str:
        """Read one NUL-terminated reply (clamd's ``z`` commands) or up to end of stream."""
        data = b""
        while b"\0" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ScannerUnavailable("clamd did not answer in time")
            sock.settimeout(remaining)
            try:
                part = sock.recv(MAX_REPLY_BYTES)
            except OSError as exc:
                raise ScannerUnavailable(f"no answer from clamd: {exc}") from exc
            if not part:
                break
            data += part
            if len(data) > MAX_REPLY_BYTES:
                raise ScannerUnavailable("clamd's answer is too long")
        reply = data.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()
        if not reply:
            raise ScannerUnavailable("clamd closed the connection without an answer")
        return reply

    def ping(self) -> None:
        deadline = time.monotonic() + self.timeout
        with self._connect() as sock:
            try:
                sock.sendall(b"zPING\0")
            except OSError as exc:
                raise ScannerUnavailable(f"cannot talk to clamd: {exc}") from exc
            reply = self._reply(sock, deadline)
        if reply != "PONG":
            raise ScannerUnavailable(f"unexpected answer to PING: {reply!r}")

    def scan(self, stream: BinaryIO) -> ScanResult:
        deadline = time.monotonic() + self.timeout
        with self._connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(self.chunk_bytes):
                    if time.monotonic() > deadline:
                        raise ScannerUnavailable("clamd did not take the file in time")
                    sock.sendall(struct.pack("!I", len(chunk)) + chunk)
                sock.sendall(struct.pack("!I", 0))
            except OSError as exc:
                # clamd closes the connection after an error such as "INSTREAM size limit
                # exceeded"; its answer, if it gave one, says more than the broken pipe.
                try:
                    reply = self._reply(sock, min(deadline, time.monotonic() + 1))
                except ScannerUnavailable:
                    reply = ""
                raise ScannerUnavailable(f"clamd stopped reading: {reply or exc}") from exc
            reply = self._reply(sock, deadline)
        return parse_reply(reply)


def parse_reply(reply: str) -> ScanResult:
    """Interpret clamd's answer to INSTREAM: ``stream: OK``, ``stream: <name> FOUND`` or error."""
    _prefix, separator, verdict = reply.partition(": ")
    if separator and verdict == "OK":
        return ScanResult(clean=True)
    if separator and verdict.endswith(" FOUND"):
        return ScanResult(clean=False, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"clamd answered {reply!r}")


def no_scanner() -> Scanner:
    return NoScanner()


def clamav_scanner() -> Scanner:
    return ClamAVScanner(settings.RATHAUS_CLAMD_ADDRESS, settings.RATHAUS_CLAMD_TIMEOUT_SECONDS)


def check_health() -> dict[str, Any]:
    """The scanner's part of a health report: ``off``, ``ok`` or ``error``."""
    scanner = get_scanner()
    if scanner.name == "none":
        return {"status": "off", "scanner": scanner.name}
    started = time.perf_counter()
    try:
        scanner.ping()
    except ScannerUnavailable as exc:
        return {"status": "error", "scanner": scanner.name, "error": str(exc)}
    return {
        "status": "ok",
        "scanner": scanner.name,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


@checks.register(checks.Tags.security)
def check_virus_scanner(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production without a scanner, or clamav without an address, is reported at start."""
    messages: list[checks.CheckMessage] = []
    if set(VIRUS_SCANNERS) != set(scanners):
        messages.append(
            checks.Error(
                "rathaus.conf.VIRUS_SCANNERS and the registered scanners differ: "
                f"{sorted(VIRUS_SCANNERS)} != {sorted(scanners)}",
                id="rathaus.E021",
            )
        )
    scanner = settings.RATHAUS_VIRUS_SCANNER
    if scanner == "none" and settings.RATHAUS_PRODUCTION:
        messages.append(
            checks.Warning(
                "Uploaded files are not scanned for viruses (RATHAUS_VIRUS_SCANNER=none).",
                hint="Install clamav-daemon and set RATHAUS_VIRUS_SCANNER=clamav and "
                "RATHAUS_CLAMD_ADDRESS=/run/clamav/clamd.ctl.",
                id="rathaus.W021",
            )
        )
    if scanner == "clamav" and not settings.RATHAUS_CLAMD_ADDRESS:
        messages.append(
            checks.Error(
                "RATHAUS_VIRUS_SCANNER=clamav needs RATHAUS_CLAMD_ADDRESS; every upload is "
                "refused until it is set.",
                hint="Set RATHAUS_CLAMD_ADDRESS=/run/clamav/clamd.ctl or tcp://host:3310.",
                id="rathaus.E022",
            )
        )
    return messages
