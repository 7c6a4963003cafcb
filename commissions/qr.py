"""QR codes of tracked links as SVG, drawn by segno (no image library, nothing external)."""

import io

import segno


def qr_svg_inline(url: str, *, scale: int = 3) -> str:
    """An ``<svg>`` element to put in a page (no XML declaration)."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#1d2330")


def qr_svg_document(url: str, *, scale: int = 8) -> bytes:
    """A standalone SVG file, to download and print."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, dark="#1d2330")
    return buffer.getvalue()
