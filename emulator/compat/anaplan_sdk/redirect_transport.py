"""Points httpx2's transports at the emulator. Nothing else of the client is touched.

anaplan-sdk hard-codes https://auth.anaplan.com and https://api.anaplan.com, and signs in through
a private `httpx2.Client(timeout=15.0)` it builds itself, so neither a base URL nor a `transport=`
argument can reach every request it makes. The one layer all of them pass through is the
transport's `handle_request` (`handle_async_request` for the async client): that is where a
request is turned into bytes on a socket, and it is the only thing replaced here. The URL is
rewritten there (scheme, host and port; path, query, headers and body unchanged), the request is
sent by httpx2's own code, and the URL is put back before the SDK sees the response.

Any host other than the two mapped ones is refused, so a test can never reach the real Anaplan
(or anything else) by accident.
"""

import threading
from collections import Counter
from urllib.parse import urlsplit

import httpx2


class Redirect:
    """Maps `https://<host>` to an emulator base URL such as `http://127.0.0.1:41234`."""

    def __init__(self, targets: dict[str, str]):
        self._targets = {}
        for host, base in targets.items():
            parts = urlsplit(base)
            if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
                raise ValueError(f"emulator URL for {host} must look like http://HOST:PORT, got {base!r}")
            self._targets[host] = (parts.scheme, parts.hostname, parts.port)
        self._lock = threading.Lock()
        # Requests sent per original host: shows which listener each part of the SDK used.
        self.sent = Counter()
        self._originals = None

    def install(self) -> None:
        """Wraps httpx2.HTTPTransport and httpx2.AsyncHTTPTransport (every client, every thread)."""
        if self._originals is not None:
            return
        sync_send = httpx2.HTTPTransport.handle_request
        async_send = httpx2.AsyncHTTPTransport.handle_async_request
        redirect = self

        def handle_request(transport, request):
            original = redirect._rewrite(request)
            try:
                return sync_send(transport, request)
            finally:
                redirect._restore(request, original)

        async def handle_async_request(transport, request):
            original = redirect._rewrite(request)
            try:
                return await async_send(transport, request)
            finally:
                redirect._restore(request, original)

        httpx2.HTTPTransport.handle_request = handle_request
        httpx2.AsyncHTTPTransport.handle_async_request = handle_async_request
        self._originals = (sync_send, async_send)

    def uninstall(self) -> None:
        if self._originals is None:
            return
        httpx2.HTTPTransport.handle_request, httpx2.AsyncHTTPTransport.handle_async_request = self._originals
        self._originals = None

    def _rewrite(self, request: httpx2.Request):
        url = request.url
        target = self._targets.get(url.host) if url.scheme == "https" else None
        if target is None:
            raise httpx2.ConnectError(
                f"redirect_transport: refusing {request.method} {url}: only "
                f"{', '.join('https://' + h for h in self._targets)} are routed (to the emulator)",
                request=request,
            )
        with self._lock:
            self.sent[url.host] += 1
        scheme, host, port = target
        original = (url, request.headers.get("Host"))
        request.url = url.copy_with(scheme=scheme, host=host, port=port)
        # The Host header names the server the bytes go to; everything else is left as sent.
        request.headers["Host"] = f"{host}:{port}"
        return original

    @staticmethod
    def _restore(request: httpx2.Request, original) -> None:
        url, host_header = original
        request.url = url
        if host_header is not None:
            request.headers["Host"] = host_header
