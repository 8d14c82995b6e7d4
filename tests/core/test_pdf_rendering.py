"""PDF rendering (core/pdf.py): content, protective marking, URL lockdown, tagging.

No database: these only need Django settings (for STATIC_URL and the staticfiles
finders) and the template engine, both from the real test settings.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pypdf
import pytest
from django.template import Context, Template
from weasyprint.urls import URLFetchingError

from core import pdf as pdf_module
from core.pdf import (
    PDF_BASE_URL,
    RefusedURLError,
    SafeStaticURLFetcher,
    render_pdf,
    safe_url_fetcher,
)

MARKING = "OFFICIAL-SENSITIVE"
STYLESHEET_URL = PDF_BASE_URL + "static/css/pdf.css"

# What the real PEP templates will look like in miniature: autoescaped variables, the
# stylesheet linked with {% static %}, a cover page and sections on their own pages.
PEP_TEMPLATE = """{% load static %}<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{% static 'css/pdf.css' %}">
</head>
<body>
  <section class="cover">
    <h1>Personal Education Plan</h1>
    <p>{{ child_name }}</p>
    <p class="generated-on">Generated on 22 November 2026</p>
  </section>
  <section>
    <h2>Targets</h2>
    <table>
      <thead><tr><th scope="col">Target</th><th scope="col">Owner</th></tr></thead>
      <tbody><tr><td class="narrative">{{ target }}</td><td>Designated teacher</td></tr></tbody>
    </table>
  </section>
  <section class="page-break-before">
    <h2>Views of the child</h2>
    <p class="narrative">{{ views }}</p>
  </section>
</body>
</html>
"""


def render_template(**context: str) -> str:
    """Render PEP_TEMPLATE the way the real views will: Django autoescaping on."""
    defaults = {
        "title": "PEP for Ruby Example",
        "child_name": "Ruby Example",
        "target": "Read one chapter book a week with her carer.",
        "views": "I like maths.\nI want to join the football team.",
    }
    return Template(PEP_TEMPLATE).render(Context({**defaults, **context}))


def read_pdf(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def embedded_image_count(reader: pypdf.PdfReader) -> int:
    """Distinct image XObjects in the PDF (the only way an <img> reaches a PDF)."""
    # WeasyPrint shares one resource dictionary between pages, so count each image once.
    images = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                images.add(ref.idnum)
    return len(images)


@pytest.fixture(autouse=True)
def _static_url(settings) -> None:
    # Pin STATIC_URL to what PDF_BASE_URL-relative URLs in these tests assume, whatever an
    # environment (e.g. a CDN in production settings) says.
    if settings.STATIC_URL != "/static/":
        settings.STATIC_URL = "/static/"


@pytest.fixture
def fetched(monkeypatch) -> Iterator[list[tuple[str, str]]]:
    """Record every URL WeasyPrint asks for, and whether it was served or refused."""
    calls: list[tuple[str, str]] = []
    real: Callable = safe_url_fetcher

    def spy(url: str, headers=None):
        try:
            response = real(url, headers)
        except RefusedURLError:
            calls.append((url, "refused"))
            raise
        calls.append((url, "served"))
        return response

    # SafeStaticURLFetcher.fetch looks safe_url_fetcher up at call time.
    monkeypatch.setattr(pdf_module, "safe_url_fetcher", spy)
    yield calls


def refused_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "epep.pdf" and record.levelno == logging.WARNING
    ]


def test_pep_renders_name_target_and_marking_on_every_page(fetched):
    reader = read_pdf(render_pdf(render_template(), title="PEP for Ruby Example"))

    texts = page_texts(reader)
    assert len(texts) == 3
    everything = "\n".join(texts)
    assert "Ruby Example" in everything
    assert "Read one chapter book a week with her carer." in everything
    for number, text in enumerate(texts, start=1):
        # Top-centre and bottom-centre margin boxes: the marking twice on every page.
        assert text.count(MARKING) == 2, f"page {number}"
        assert f"Page {number} of 3" in text
        assert "Generated on 22 November 2026" in text  # @bottom-left string-set
    assert "Page 1 of 3" in texts[0]
    # pre-wrap kept the line break in the narrative.
    assert "I like maths.\nI want to join the football team." in everything


def test_stylesheet_is_loaded_through_the_fetcher(fetched):
    html = render_template()
    # The marking is not in the HTML: only pdf.css's margin boxes can put it in the PDF.
    assert MARKING not in html

    reader = read_pdf(render_pdf(html, title="PEP"))

    assert (STYLESHEET_URL, "served") in fetched
    assert all(MARKING in text for text in page_texts(reader))


def test_marking_is_applied_even_if_template_forgets_the_stylesheet(fetched):
    html = "<!DOCTYPE html><html lang='en-GB'><title>t</title><p>Ruby Example</p></html>"

    reader = read_pdf(render_pdf(html, title="PEP"))

    assert fetched == [(STYLESHEET_URL, "served")]
    assert page_texts(reader)[0].count(MARKING) == 2


def test_missing_stylesheet_fails_closed(monkeypatch):
    # Better no PDF than a PDF without its protective marking.
    monkeypatch.setattr(pdf_module, "PDF_STYLESHEET", "css/does-not-exist.css")
    with pytest.raises(URLFetchingError):
        render_pdf("<p>Ruby Example</p>", title="PEP")


def test_escaped_markup_in_a_field_is_text_and_fetches_nothing(fetched, caplog):
    caplog.set_level(logging.WARNING, logger="epep.pdf")
    payload = '<img src="file:///etc/passwd">'
    html = render_template(target=payload)
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html

    reader = read_pdf(render_pdf(html, title="PEP"))

    assert payload in "\n".join(page_texts(reader))
    # Only the stylesheet, twice: the template's <link> and render_pdf's own copy.
    assert fetched == [(STYLESHEET_URL, "served")] * 2
    assert refused_warnings(caplog) == []
    assert embedded_image_count(reader) == 0


def test_raw_file_and_remote_urls_are_refused(fetched, caplog):
    caplog.set_level(logging.WARNING)
    html = (
        render_template()
        .replace(
            "</head>",
            '<link rel=stylesheet href="http://example.com/x.css"></head>',
        )
        .replace(
            "<h2>Targets</h2>",
            '<h2>Targets</h2><img src="file:///etc/passwd" alt="">',
        )
    )

    reader = read_pdf(render_pdf(html, title="PEP"))

    assert ("file:///etc/passwd", "refused") in fetched
    assert ("http://example.com/x.css", "refused") in fetched
    assert [url for url, outcome in fetched if outcome == "served"] == [
        STYLESHEET_URL,  # the template's <link>
        STYLESHEET_URL,  # render_pdf's own copy
    ]
    warnings = refused_warnings(caplog)
    assert any("file:///etc/passwd" in message for message in warnings)
    assert any("http://example.com/x.css" in message for message in warnings)
    assert embedded_image_count(reader) == 0
    # Refusals are logged without the page's content.
    assert "Ruby Example" not in caplog.text
    assert "Read one chapter" not in caplog.text
    # The document still renders, marked, without the refused resources.
    assert all(text.count(MARKING) == 2 for text in page_texts(reader))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.com/x.css",
        "https://example.com/static/css/pdf.css",  # right path, wrong host
        "http://epep.invalid/static/css/pdf.css",  # right host, wrong scheme
        "https://user@epep.invalid/static/css/pdf.css",
        "https://epep.invalid:8443/static/css/pdf.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/css,p{color:red}",
        "ftp://epep.invalid/static/css/pdf.css",
        "https://epep.invalid/etc/passwd",  # outside STATIC_URL
        "https://epep.invalid/static/../epep/settings/base.py",
        "https://epep.invalid/static/css/../../manage.py",
        "https://epep.invalid/static/%2e%2e/manage.py",
        "https://epep.invalid/static/%2E%2E%2Fmanage.py",
        "https://epep.invalid/static/./css/pdf.css",
        "https://epep.invalid/static//etc/passwd",
        "https://epep.invalid/static/css%5c..%5c..%5cmanage.py",
        "https://epep.invalid/static/css/pdf.css%00.png",
        "https://epep.invalid/static/",
        "https://epep.invalid/static/css/no-such-file.css",
    ],
)
def test_fetcher_refuses(url, caplog):
    caplog.set_level(logging.WARNING, logger="epep.pdf")
    with pytest.raises(RefusedURLError):
        safe_url_fetcher(url)
    assert len(refused_warnings(caplog)) == 1


def test_refusal_log_leaves_out_query_and_data_payload(caplog):
    caplog.set_level(logging.WARNING, logger="epep.pdf")
    for url in (
        "https://example.com/x.png?name=Ruby+Example",
        "data:text/plain,Ruby%20Example%20secret",
    ):
        with pytest.raises(RefusedURLError) as excinfo:
            safe_url_fetcher(url)
        assert "Ruby" not in str(excinfo.value)
    assert "Ruby" not in caplog.text


def test_fetcher_serves_static_files_with_mime_type():
    response = safe_url_fetcher(STYLESHEET_URL + "?v=1")
    assert response.content_type == "text/css"
    assert response.charset == "utf-8"
    assert b"OFFICIAL-SENSITIVE" in response.read()
    # The response URL stays under the fake base, so url()s inside the stylesheet
    # resolve to URLs the fetcher will judge again.
    assert response.url.startswith(PDF_BASE_URL)


def test_weasyprint_adapter_uses_the_policy():
    fetcher = SafeStaticURLFetcher()
    with pytest.raises(RefusedURLError):
        fetcher("file:///etc/passwd")
    assert fetcher(STYLESHEET_URL).content_type == "text/css"


def test_pdf_is_tagged_with_title_and_language():
    # The HTML says otherwise on purpose: render_pdf's arguments are authoritative.
    html = render_template(title="Wrong title").replace('lang="en-GB"', 'lang="fr"')
    title = "Personal Education Plan – Ruby Example – Autumn 2026"

    reader = read_pdf(render_pdf(html, title=title, lang="cy-GB"))

    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "cy-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == title
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title["x-default"] == title


def test_default_language_is_british_english():
    reader = read_pdf(render_pdf(render_template(), title="PEP"))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_title_is_required():
    with pytest.raises(ValueError):
        render_pdf(render_template(), title="  ")


def test_output_is_deterministic():
    html = render_template()
    assert render_pdf(html, title="PEP") == render_pdf(html, title="PEP")


def test_collected_static_image_is_embedded(settings, tmp_path, fetched):
    # Positive control for embedded_image_count(), and the STATIC_ROOT fallback: a file
    # only in STATIC_ROOT (as after collectstatic with hashed names) is still served.
    from PIL import Image

    settings.STATIC_ROOT = tmp_path
    (tmp_path / "img").mkdir()
    Image.new("RGB", (4, 4), "red").save(tmp_path / "img" / "collected-only.png")
    html = render_template().replace(
        "<h2>Targets</h2>",
        '<h2>Targets</h2><img src="/static/img/collected-only.png" alt="A red square">',
    )

    reader = read_pdf(render_pdf(html, title="PEP"))

    assert (PDF_BASE_URL + "static/img/collected-only.png", "served") in fetched
    assert embedded_image_count(reader) == 1
