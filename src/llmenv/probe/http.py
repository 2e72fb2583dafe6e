"""Every HTTP request llmenv makes itself (index and mirror probes, dataset and checkpoint downloads) goes through
`opener()`, whose redirect rule keeps credentials with the origin they were given for (DESIGN.md section 8):

- a redirect to another origin (scheme, host, port) drops `Authorization` (and `Cookie`): urllib's own handler
  copies every header to the new request, so a mirror's password went to wherever the mirror redirected;
- a redirect to anything but http or https (`file:`, `ftp:`, `data:`) is a failure, never followed;
- a redirect loop, or more than `MAX_REDIRECTS` hops, is a failure (urllib reported a loop as an HTTP 30x error,
  which the mirror probe counted as an answer).

Failures are `urllib.error.URLError`s with a plain reason, so every caller's existing handling reports them as
"not reachable" with that reason. The module imports urllib only when a request is made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import urllib.request

MAX_REDIRECTS = 10
_PRIVATE_HEADERS = ("authorization", "cookie")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) as browsers and pip compare them; the port defaults by scheme."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _handler_class() -> type[urllib.request.HTTPRedirectHandler]:
    import urllib.error
    import urllib.request

    class OriginRedirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(
            self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> urllib.request.Request | None:
            scheme = urlsplit(newurl).scheme.lower()
            if scheme not in ("http", "https"):
                raise urllib.error.URLError(f"the server redirected to a {scheme or 'schemeless'} URL, not followed")
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None and origin(newurl) != origin(req.full_url):
                for name in [n for n in new.headers if n.lower() in _PRIVATE_HEADERS]:
                    del new.headers[name]
            return new

        def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
            location = headers.get("location") or headers.get("uri") or ""
            scheme = urlsplit(location.strip()).scheme.lower()
            if scheme not in ("", "http", "https"):  # urllib itself would follow ftp: and raise a 30x for the rest
                raise urllib.error.URLError(f"the server redirected to a {scheme} URL, not followed")
            try:
                return super().http_error_302(req, fp, code, msg, headers)
            except urllib.error.HTTPError as exc:
                if not str(exc.msg).startswith(self.inf_msg):
                    raise
                raise urllib.error.URLError(
                    f"the server's redirects go in a loop (or past {MAX_REDIRECTS} hops)"
                ) from None

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    return OriginRedirects


def request(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> urllib.request.Request:
    """A request for `url` whose `user:password@` (percent-decoded, as pip and uv read it) travels as a Basic
    `Authorization` header, never in the URL: urllib would read it as part of the host. ValueError for a port that
    is not a number (the caller reports a malformed URL without quoting it)."""
    import base64
    import urllib.request
    from urllib.parse import unquote, urlunsplit

    parts = urlsplit(url)
    sent = dict(headers or {})
    if parts.username is not None:
        token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        sent["Authorization"] = "Basic " + base64.b64encode(token).decode()
        host = parts.hostname or ""
        netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
        url = urlunsplit(parts._replace(netloc=netloc))
    return urllib.request.Request(url, headers=sent, method=method)


def opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """urllib's opener with `handlers` (TLS context, proxy) and the origin-keeping redirect rule."""
    import urllib.request

    return urllib.request.build_opener(*handlers, _handler_class()())


__all__ = ["MAX_REDIRECTS", "opener", "origin", "request"]
