"""Fetching a source's bytes: the one way every harvester reads a feed.

Web addresses go through httpx with timeouts, retries with back-off, a size cap (after gzip
decoding, so a compressed bomb is stopped too), redirects followed one hop at a time, an honest
User-Agent and conditional GET (ETag / Last-Modified, with the last body kept on disk). Every hop
is refused when its host resolves to, or the connection lands on, a private, loopback,
link-local (cloud metadata) or otherwise internal address (also when wrapped in NAT64, 6to4,
Teredo or IPv4-compatible IPv6), unless the operator allows it. Every fetch has an overall
deadline besides its per-read timeout, so a feed that trickles bytes cannot hold a harvest.
Local paths are read as files only as the source the operator registered (``for_source``):
nothing a remote document names is ever read from disk.
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

from .base import Fetch, SourceError

USER_AGENT = "learncat-harvester/0.1 (+https://github.com/learncat; catalogue harvester)"
MAX_BYTES = 50 * 1024 * 1024
RETRY_STATUSES = {429, 500, 502, 503, 504}


# prefixes that carry an IPv4 address in their low 32 bits: NAT64 (RFC 6052, RFC 8215's
# local-use prefix) and SIIT's IPv4-translated addresses (RFC 2765)
CARRIERS = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48",
                                                    "::ffff:0:0:0/96"))


def address_allowed(ip: str, allowed: tuple[ipaddress._BaseNetwork, ...] = ()) -> bool:
    address = ipaddress.ip_address(ip.split("%")[0])
    if any(address in network for network in allowed):
        return True
    return all(a.is_global and not a.is_multicast for a in _embedded(address))


def _embedded(address: ipaddress._BaseAddress) -> list[ipaddress._BaseAddress]:
    """The address and every IPv4 address an IPv6 one carries: each must be public."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    inner = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if any(address in n for n in CARRIERS) or int(address) >> 32 == 0:  # or ::a.b.c.d
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [address, *(a for a in inner if a is not None)]


def is_local(location: str) -> bool:
    try:
        return urlsplit(location).scheme in ("", "file")
    except ValueError:  # "http://[::1" is no address at all; the fetch refuses it
        return False


def for_source(fetch: Fetch, registered: str, stop_at: float | None = None) -> Fetch:
    """The fetch of one harvest: the registered location may be a local file (an upload); any
    other local path or ``file:`` address, named by a sitemap or a feed, is refused. Past
    ``stop_at`` (a ``time.monotonic()`` value: the run's deadline) nothing more is fetched."""
    def scoped(location: str) -> bytes:
        if is_local(location):
            if location != registered:
                raise SourceError("refusing a local file named by the feed: only the registered "
                                  "source may be read from disk")
            return read_file(location)
        if stop_at is not None and time.monotonic() > stop_at:
            raise SourceError("the harvest ran past its deadline")
        if isinstance(fetch, Fetcher):
            return fetch(location, stop_at=stop_at)
        return fetch(location)
    return scoped


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
    deadline: float = 300.0                   # seconds for one fetch, retries and redirects in
    cache_dir: Path | None = None             # keeps validators and bodies for conditional GET
    allowed: tuple = field(init=False)

    def __post_init__(self) -> None:
        self.allowed = tuple(ipaddress.ip_network(n, strict=False) for n in self.allow_networks)

    def __call__(self, location: str, stop_at: float | None = None) -> bytes:
        """Bytes at ``location``: an http(s) address, or a file the operator gave."""
        if not isinstance(location, str):
            raise SourceError("the address is not text")
        if is_local(location):
            return read_file(location)
        try:
            scheme = urlsplit(location).scheme
        except ValueError as exc:
            raise SourceError(f"{location!r} is not a valid address") from exc
        if scheme not in ("http", "https"):
            raise SourceError(f"refusing {scheme}: addresses; use http(s) or a file")
        return self.get(location, stop_at)

    # -- HTTP ------------------------------------------------------------------------------
    def get(self, url: str, stop_at: float | None = None) -> bytes:
        own = time.monotonic() + self.deadline
        stop_at = min(own, stop_at) if stop_at is not None else own
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
        cached = self._cached(url)
        if cached:
            headers.update({k: v for k, v in (("If-None-Match", cached.get("etag")),
                                              ("If-Modified-Since", cached.get("modified"))) if v})
        with httpx.Client(follow_redirects=False, headers=headers) as client:
            current = url
            for _ in range(self.max_redirects + 1):
                status, location, body, response_headers = self._attempts(client, current, stop_at)
                if status in (301, 302, 303, 307, 308) and location:
                    current = urljoin(current, location)
                    if urlsplit(current).scheme not in ("http", "https"):
                        raise SourceError(f"{url} redirected to a non-web address "
                                          f"({urlsplit(current).scheme or 'a path'})")
                    continue
                if status == 304 and cached:
                    return self._cache_body(url)
                if status >= 400:
                    raise SourceError(f"{current} answered HTTP {status}")
                self._store(url, response_headers, body)
                return body
        raise SourceError(f"more than {self.max_redirects} redirects from {url}")

    def _attempts(self, client: httpx.Client, url: str, stop_at: float):
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                result = self._once(client, url, stop_at)
            except httpx.InvalidURL as exc:
                raise SourceError(f"{url!r} is not a valid address") from exc
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == self.retries:
                    raise SourceError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from exc
            else:
                if result[0] not in RETRY_STATUSES or attempt == self.retries:
                    return result
            if stop_at - time.monotonic() < delay:
                break
            time.sleep(delay)
            delay *= 2
        raise self._late(url)

    def _late(self, url: str) -> SourceError:
        return SourceError(f"{url} took longer than the {self.deadline:g} s allowed for a fetch "
                           "(or the harvest ran past its deadline)")

    def _once(self, client: httpx.Client, url: str, stop_at: float):
        self._check_host(url)
        left = stop_at - time.monotonic()
        if left <= 0:
            raise self._late(url)
        timeout = httpx.Timeout(min(self.read_timeout, left), connect=min(self.connect_timeout, left))
        with client.stream("GET", url, timeout=timeout) as response:
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
                if time.monotonic() > stop_at:
                    raise self._late(url)
                size += len(chunk)
                if size > self.max_bytes:
                    raise SourceError(f"{url} is larger than the {self.max_bytes:,} bytes accepted")
                chunks.append(chunk)
            return response.status_code, None, b"".join(chunks), response.headers

    def _check_host(self, url: str) -> None:
        try:
            host = urlsplit(url).hostname
        except ValueError as exc:
            raise SourceError(f"{url!r} is not a valid address") from exc
        if not host:
            raise SourceError(f"no host in {url!r}")
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise SourceError(f"cannot resolve {host}: {exc.strerror}") from exc
        except (UnicodeError, ValueError) as exc:  # an impossible name (a 64-letter label...)
            raise SourceError(f"{url!r} is not a valid address") from exc
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
    """A registered file; errors name no path, since harvest reports are public."""
    path = Path(urlsplit(location).path if location.startswith("file:") else location)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"the source file is larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the source file: {exc.strerror or 'unreadable'}") from exc


fetch = Fetcher()  # the default: public addresses only
