"""The one place the portal turns HTML into PDF, with WeasyPrint.

PEP PDFs carry a child's personal data, so rendering must never reach outside the
project: a stray ``<img src="file:///etc/passwd">`` or ``<link href="http://...">`` that
somehow ends up in the HTML must not read the server's files or call out to the network
(SSRF, data exfiltration via a URL). Everything WeasyPrint wants to load therefore goes
through :class:`SafeStaticURLFetcher`, which serves the project's own static files and
refuses everything else.

WeasyPrint 70 note: its ``url_fetcher`` argument must be an instance of
``weasyprint.urls.URLFetcher`` (or something that quacks like one), not a bare function:
``weasyprint.urls.fetch()`` reads ``url_fetcher._fail_on_errors`` when the fetch fails
and asserts the result is a ``URLFetcherResponse``. So the policy lives in the plain
function :func:`safe_url_fetcher` (easy to test and reason about) and the class is a thin
adapter that WeasyPrint can call.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("epep.pdf")

# A fake origin for the document. ".invalid" is reserved (RFC 2606), so even if some URL
# escaped the fetcher it could not resolve to a real host. Relative URLs in templates
# ("/static/css/pdf.css", "{% static %}" output) are resolved against it, which is what
# lets the fetcher recognise them as ours.
PDF_BASE_URL = "https://epep.invalid/"

# Always applied by render_pdf(), so the protective marking cannot be lost because a
# template forgot to link the stylesheet. Linking it as well is harmless.
PDF_STYLESHEET = "css/pdf.css"

# PDF/UA-1: WeasyPrint tags the structure (headings, tables, lists) so screen readers can
# navigate the plan, and writes the XMP metadata that PDF/UA requires.
PDF_VARIANT = "pdf/ua-1"

# Longest URL fragment we are willing to put in a log line: enough to diagnose a broken
# template, short enough that a URL stuffed with page content does not end up in logs.
_LOG_URL_LIMIT = 120


class RefusedURLError(ValueError):
    """Raised for any URL the PDF renderer is not allowed to load.

    A plain (non-fatal) exception on purpose: WeasyPrint catches it, logs that the
    resource failed to load and carries on without it, so a bad ``<img>`` costs an image,
    not the whole PDF. The one resource that must load, the PDF stylesheet, is loaded by
    render_pdf() directly, where a refusal does propagate.
    """


def static_url(path: str) -> str:
    """Absolute URL, under the fake base, of the static file ``path`` (e.g. css/pdf.css)."""
    return urljoin(PDF_BASE_URL, _static_prefix() + path.lstrip("/"))


def safe_url_fetcher(url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
    """Serve ``url`` if it names one of the project's static files; refuse anything else.

    Allowed: ``https://epep.invalid<STATIC_URL path><relative path>``, found with the
    staticfiles finders (so it works in development and tests without collectstatic),
    falling back to STATIC_ROOT (so it also works where only collected files exist).
    Refused with :class:`RefusedURLError`: every other scheme (``file:``, ``data:``,
    ``ftp:``...), every other host, paths outside STATIC_URL, and ``..``/``.`` segments
    (checked after percent-decoding, so ``%2e%2e`` does not slip through).

    ``headers`` is accepted for signature compatibility with WeasyPrint's fetchers and
    ignored: nothing goes over the network.
    """
    del headers  # Nothing is fetched over HTTP, so request headers have no meaning here.
    try:
        parts = urlsplit(url)
    except ValueError:
        _refuse(url, "malformed URL")

    base = urlsplit(PDF_BASE_URL)
    # data: is refused too: WeasyPrint 70 needs no data: URLs of its own (its user-agent
    # stylesheets are read from disk, not fetched), and the portal's templates have no
    # reason to inline resources, so any data: URL came from somewhere it should not.
    if parts.scheme.lower() != base.scheme or parts.netloc.lower() != base.netloc:
        _refuse(url, "not a portal static file")

    prefix = _static_prefix()
    path = unquote(parts.path)
    if not path.startswith(prefix):
        _refuse(url, "outside STATIC_URL")
    relative = path[len(prefix) :]
    segments = relative.split("/")
    # Refuse rather than normalise: a legitimate template never produces "..", ".", "//"
    # or backslashes, so seeing one means someone is probing.
    if (
        not relative
        or any(segment in ("", ".", "..") for segment in segments)
        or "\\" in relative
        or "\x00" in relative
    ):
        _refuse(url, "path escapes STATIC_URL")

    file_path = _find_static_file(relative)
    if file_path is None:
        _refuse(url, "no such static file")

    content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type == "image/svg+xml":
        # The project's static text files are UTF-8; saying so stops WeasyPrint guessing.
        content_type += "; charset=utf-8"
    logger.debug("Serving static file to PDF renderer: %s", relative)
    # Read eagerly (static files are small) so no file handle outlives the call, whatever
    # WeasyPrint does with the response.
    return URLFetcherResponse(
        url, body=file_path.read_bytes(), headers={"Content-Type": content_type}
    )


class SafeStaticURLFetcher(URLFetcher):
    """Adapter so WeasyPrint 70 calls :func:`safe_url_fetcher` for every resource.

    Overriding ``fetch`` is the hook WeasyPrint documents for custom fetchers; ``__call__``
    and ``open`` both route through it. The parent's urllib handlers are never used.
    """

    def __init__(self) -> None:
        # allowed_protocols=() makes the parent refuse every scheme, as a second lock in
        # case a future WeasyPrint calls the parent's fetch logic directly.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        return safe_url_fetcher(url, headers)


def render_pdf(html: str, *, title: str, lang: str = "en-GB") -> bytes:
    """Render ``html`` to a tagged PDF/UA-1 document and return its bytes.

    ``title`` and ``lang`` set the PDF's document title (info dictionary and XMP) and its
    catalog ``/Lang``; they override whatever ``<title>``/``<html lang>`` the HTML has, so
    the PDF is correct even if a template gets those wrong. Templates should still set them
    for the HTML's own sake.

    Output is deterministic for the same input and the same installed fonts/WeasyPrint:
    WeasyPrint 70 writes no creation/modification dates unless the HTML has
    ``<meta name="dcterms.created|modified">``, and no random ``/ID`` unless asked for
    (``pdf_identifier``), and font subset names are hashes of their content.
    """
    if not title.strip():
        # PDF/UA requires a document title, and screen readers announce it.
        raise ValueError("A PDF needs a title.")
    fetcher = SafeStaticURLFetcher()
    document = weasyprint.HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    # Loaded here, not left to a <link> in the template, so that a refused or missing
    # stylesheet raises instead of silently producing a PDF without protective marking.
    stylesheet = weasyprint.CSS(url=static_url(PDF_STYLESHEET), url_fetcher=fetcher)
    rendered = document.render(pdf_variant=PDF_VARIANT, stylesheets=[stylesheet])
    rendered.metadata.title = title
    rendered.metadata.lang = lang
    return rendered.write_pdf(pdf_variant=PDF_VARIANT)


def _static_prefix() -> str:
    """The path part of STATIC_URL, with leading and trailing slashes ("/static/")."""
    # STATIC_URL may be absolute (a CDN); only its path matters under the fake base.
    path = urlsplit(settings.STATIC_URL or "/static/").path
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def _find_static_file(relative: str) -> Path | None:
    """Locate a static file by its path relative to STATIC_URL, or return None."""
    found = finders.find(relative)
    if isinstance(found, list):  # Only with find_all=True; kept for type-checkers.
        found = found[0] if found else None
    if found:
        candidate = Path(found)
        if candidate.is_file():
            return candidate
    if settings.STATIC_ROOT:
        try:
            # safe_join refuses anything resolving outside STATIC_ROOT.
            candidate = Path(safe_join(settings.STATIC_ROOT, relative))
        except SuspiciousFileOperation:
            return None
        if candidate.is_file():
            return candidate
    return None


def _refuse(url: str, reason: str) -> NoReturn:
    """Log a refused URL (without page content) and raise RefusedURLError."""
    described = _describe_url(url)
    logger.warning("Refused PDF resource %s: %s", described, reason)
    raise RefusedURLError(f"Refused PDF resource {described}: {reason}")


def _describe_url(url: str) -> str:
    """A log-safe description of ``url``: no query, fragment or data: payload, and short."""
    if url[:5].lower() == "data:":
        # The payload of a data: URL is content; its length is enough to diagnose.
        return f"data: URL ({len(url)} characters)"
    try:
        parts = urlsplit(url)
        described = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else url
    except ValueError:
        described = "malformed URL"
    if len(described) > _LOG_URL_LIMIT:
        described = described[:_LOG_URL_LIMIT] + "..."
    return described
