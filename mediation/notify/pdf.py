"""Every PDF the service makes goes through `write_pdf`: tagged PDF/UA-1 (ISO 14289-1), so screen readers
get the document's language, title, headings and the letterhead mark's alt text from the structure tree.

The HTML carries what PDF/UA asks of the content: `<html lang="en-GB">`, a `<title>`, real `<h1>`/`<h2>`,
and an `alt` on every image (`templates/documents/_letterhead_mark.html`).
"""

from __future__ import annotations

import threading

# WeasyPrint (Pango, fontconfig) is not documented as thread-safe; renders run in worker threads so the
# event loop keeps serving requests, one at a time across letters, notices and certificates.
render_lock = threading.Lock()
PDF_VARIANT = "pdf/ua-1"


def write_pdf(html: str) -> bytes:
    # Imported here: it takes ~0.6 s and only the renders need it.
    from weasyprint import HTML  # type: ignore[import-untyped]

    with render_lock:
        pdf = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    if not isinstance(pdf, bytes):  # write_pdf returns bytes when given no target
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
