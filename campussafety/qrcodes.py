"""QR codes drawn on the server as inline SVG (segno: pure Python, no CDN)."""

import segno


def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG, sized by the page's CSS."""
    return segno.make(data, error="m").svg_inline(scale=4, omitsize=True)
