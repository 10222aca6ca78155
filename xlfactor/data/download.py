"""HTTP GET with timeouts, bounded retries with exponential backoff and conditional requests.

Standard library only (``urllib``). A conditional request sends ``If-None-Match``
(the stored ETag) and ``If-Modified-Since`` (the stored Last-Modified); a 304 reply
means the file is unchanged and nothing is downloaded.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from xlfactor import __version__
from xlfactor.errors import XLFactorError

MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024  # French factor zips are 20 kB - 500 kB
_CHUNK = 64 * 1024


class DownloadError(XLFactorError):
    """A download failed after its retries; the message says why."""


@dataclass(frozen=True)
class Fetched:
    """Outcome of :func:`fetch`: ``body`` is None when the server answered 304 Not Modified."""

    body: bytes | None
    etag: str | None
    last_modified: str | None


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 30.0,
    retries: int = 2,
    backoff: float = 1.0,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Fetched:
    """Download ``url``; retry timeouts, connection errors and HTTP 5xx/429.

    ``timeout`` bounds each attempt as a whole, not only each read: an attempt is
    abandoned once ``timeout`` seconds have passed since it started (checked after
    every packet received, so a server dripping one byte at a time cannot hold it)
    or when the server sends nothing for ``timeout`` seconds. (The status line and
    headers, read inside ``urlopen``, are bounded per read only.)

    Attempts: ``1 + retries``; before retry ``k`` (1-based) it sleeps
    ``backoff * 2**(k-1)`` seconds. HTTP 4xx other than 429 is not retried.

    Raises
    ------
    DownloadError
        With the last reason (``HTTP 500 Internal Server Error``, ``timed out after
        2.0 s``, ``did not finish within 2.0 s``, ``larger than 25 MB``, ...), naming the URL.
    """
    headers = {"User-Agent": f"xlfactor/{__version__} (factor data refresh)"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        deadline = time.monotonic() + timeout
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = _read_bounded(response, max_bytes, deadline)
                if body is None:
                    reason = f"did not finish within {timeout:g} s (the server sends too slowly)"
                    continue
                return Fetched(body, response.headers.get("ETag"), response.headers.get("Last-Modified"))
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Fetched(None, exc.headers.get("ETag") or etag, exc.headers.get("Last-Modified") or last_modified)
            reason = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                break
        except TimeoutError:
            reason = f"timed out after {timeout:g} s"
        except urllib.error.URLError as exc:
            inner = exc.reason
            is_timeout = isinstance(inner, TimeoutError)
            reason = f"timed out after {timeout:g} s" if is_timeout else f"connection failed: {inner}"
        except (OSError, http.client.HTTPException) as exc:
            reason = f"connection failed: {exc!r}"
    tries = "1 attempt" if attempt == 0 else f"{attempt + 1} attempts"
    raise DownloadError(f"download of {url} failed ({reason}; {tries})")


def _read_bounded(response, max_bytes: int, deadline: float) -> bytes | None:
    """Read the body packet by packet, refusing more than ``max_bytes``; None once past ``deadline``
    (a ``time.monotonic()`` value)."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise DownloadError(f"download of {response.url} refused: {int(declared)} bytes is more than {max_bytes}")
    chunks, size = [], 0
    while chunk := response.read1(_CHUNK):
        if time.monotonic() > deadline:
            return None
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError(f"download of {response.url} refused: more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
