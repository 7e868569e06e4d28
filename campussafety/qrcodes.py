"""QR codes drawn on the server as inline SVG (segno: pure Python, no CDN)."""

import functools

import segno


# A code is the same drawing for the same address, and choosing its mask (segno scores all
# eight for the most readable print) is most of its 3 ms: a tag sheet of 48 and a piece's
# page opened again during the month's check draw each once per process.
@functools.lru_cache(maxsize=4096)
def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG, sized by the page's CSS."""
    return segno.make(data, error="m").svg_inline(scale=4, omitsize=True)
