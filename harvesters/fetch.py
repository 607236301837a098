"""Fetching a source's bytes: the one way every harvester reads a feed.

Web addresses go through httpx with timeouts, retries with back-off, a size cap (after gzip
decoding, so a compressed bomb is stopped too), redirects followed one hop at a time, an honest
User-Agent and conditional GET (ETag / Last-Modified, with the last body kept on disk). Every hop
is refused when its host resolves to, or the connection lands on, a private, loopback,
link-local (cloud metadata) or otherwise internal address, unless the operator allows it.
Local paths are read as files (uploaded catalogues).
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from .base import SourceError

USER_AGENT = "learncat-harvester/0.1 (+https://github.com/learncat; catalogue harvester)"
MAX_BYTES = 50 * 1024 * 1024
RETRY_STATUSES = {429, 500, 502, 503, 504}


def address_allowed(ip: str, allowed: tuple[ipaddress._BaseNetwork, ...] = ()) -> bool:
    address = ipaddress.ip_address(ip.split("%")[0])
    if any(address in network for network in allowed):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


@dataclass
class Fetcher:
    """Callable as ``fetch(location) -> bytes``; configure once per harvest."""
    allow_networks: tuple[str, ...] = ()      # e.g. ("127.0.0.0/8",) for tests and the demo
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0                      # seconds, doubled at each retry
    cache_dir: Path | None = None             # keeps validators and bodies for conditional GET
    allowed: tuple = field(init=False)

    def __post_init__(self) -> None:
        self.allowed = tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_networks)

    def __call__(self, location: str) -> bytes:
        scheme = urlsplit(location).scheme
        if scheme in ("", "file"):
            return read_file(location)
        if scheme not in ("http", "https"):
            raise SourceError(f"refusing {scheme}: addresses; use http(s) or a file")
        return self.get(location)

    # -- HTTP ------------------------------------------------------------------------------
    def get(self, url: str) -> bytes:
        timeout = httpx.Timeout(self.read_timeout, connect=self.connect_timeout)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
        cached = self._cached(url)
        if cached:
            headers.update({k: v for k, v in (("If-None-Match", cached.get("etag")),
                                              ("If-Modified-Since", cached.get("modified"))) if v})
        with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
            current = url
            for _ in range(self.max_redirects + 1):
                status, location, body, response_headers = self._attempts(client, current)
                if status in (301, 302, 303, 307, 308) and location:
                    current = urljoin(current, location)
                    if urlsplit(current).scheme not in ("http", "https"):
                        raise SourceError(f"redirected to a non-web address: {current}")
                    continue
                if status == 304 and cached:
                    return self._cache_body(url)
                if status >= 400:
                    raise SourceError(f"{current} answered HTTP {status}")
                self._store(url, response_headers, body)
                return body
        raise SourceError(f"more than {self.max_redirects} redirects from {url}")

    def _attempts(self, client: httpx.Client, url: str):
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                result = self._once(client, url)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == self.retries:
                    raise SourceError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from exc
            else:
                if result[0] not in RETRY_STATUSES or attempt == self.retries:
                    return result
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _once(self, client: httpx.Client, url: str):
        self._check_host(url)
        with client.stream("GET", url) as response:
            stream = response.extensions.get("network_stream")
            peer = stream.get_extra_info("server_addr") if stream else None
            if peer and not address_allowed(peer[0], self.allowed):
                raise SourceError(f"refusing {url}: it connected to the internal address {peer[0]}")
            if response.is_redirect or response.status_code >= 400:
                return response.status_code, response.headers.get("location"), b"", response.headers
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise SourceError(f"{url} is {int(declared):,} bytes, more than the "
                                  f"{self.max_bytes:,} accepted")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise SourceError(f"{url} is larger than the {self.max_bytes:,} bytes accepted")
                chunks.append(chunk)
            return response.status_code, None, b"".join(chunks), response.headers

    def _check_host(self, url: str) -> None:
        host = urlsplit(url).hostname
        if not host:
            raise SourceError(f"no host in {url!r}")
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise SourceError(f"cannot resolve {host}: {exc.strerror}") from exc
        for info in infos:
            ip = info[4][0]
            if not address_allowed(ip, self.allowed):
                raise SourceError(f"refusing {url}: {host} is an internal address ({ip})")

    # -- conditional GET -------------------------------------------------------------------
    def _paths(self, url: str) -> tuple[Path, Path] | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        return self.cache_dir / f"{key}.json", self.cache_dir / f"{key}.body"

    def _cached(self, url: str) -> dict | None:
        paths = self._paths(url)
        if paths and paths[0].exists() and paths[1].exists():
            return json.loads(paths[0].read_text())
        return None

    def _cache_body(self, url: str) -> bytes:
        return self._paths(url)[1].read_bytes()

    def _store(self, url: str, headers, body: bytes) -> None:
        paths = self._paths(url)
        validators = {"etag": headers.get("etag"), "modified": headers.get("last-modified")}
        if paths and any(validators.values()):
            paths[0].parent.mkdir(parents=True, exist_ok=True)
            paths[1].write_bytes(body)
            paths[0].write_text(json.dumps(validators))


def read_file(location: str) -> bytes:
    path = Path(urlsplit(location).path if location.startswith("file:") else location)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{path.name} is larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc


fetch = Fetcher()  # the default: public addresses only
