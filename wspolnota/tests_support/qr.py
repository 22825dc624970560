"""QR codes read back from a rendered PDF, as a phone's camera would: the page is rasterised
(poppler's ``pdftoppm``, already used to read PDFs back) and decoded with ZXing (``zxing-cpp``).
A test can then check the address a code opens, not only the text printed beside it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image


def qr_codes_in_pdf(pdf: bytes, *, page: int = 1, dpi: int = 150) -> list[str]:
    """The text of every QR code on ``page`` (1-based) of ``pdf``, top to bottom."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "page.pdf"
        source.write_bytes(pdf)
        stem = Path(folder) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(stem),
            ],
            check=True,
            capture_output=True,
        )
        with Image.open(f"{stem}.png") as image:
            results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ordered = sorted(results, key=lambda r: (r.position.top_left.y, r.position.top_left.x))
    return [result.text for result in ordered]
