"""A scanned page as an image to read: rendered at DPI, straightened, and black and white for Tesseract.
The OCR reader reads these images; the review crops its figures from the same straightened page, so a
box read on the one frames the same ink on the other."""

from __future__ import annotations

DPI = 300                    # pages are read at this resolution (a 200-dpi scan is scaled up to it)
POINTS = 72 / DPI            # points per pixel
MAX_SKEW = 3.0               # degrees: a page is straightened within ±MAX_SKEW (a scan's skew is a degree or two)


def page_image(document, number: int):
    """Page `number` (1-based) of a pypdfium2 document, rendered grey at DPI and straightened."""
    return straightened(document[number - 1].render(scale=DPI / 72, grayscale=True).to_pil().convert("L"))


def binarized(image):
    """Ink black, paper white, at Otsu's threshold: Tesseract's line recogniser reads the grey image as it
    is, and a scan's noise and paper tone make it misread digits it reads right in black and white."""
    import numpy as np

    share = np.asarray(image.histogram(), dtype=np.float64) / (image.width * image.height)
    below, mean_below = np.cumsum(share), np.cumsum(share * np.arange(256))
    between = (mean_below[-1] * below - mean_below) ** 2 / (below * (1 - below) + 1e-12)
    threshold = int(np.argmax(between))
    return image.point([255 if value > threshold else 0 for value in range(256)])


def straightened(image):
    """The page turned so its lines run level: by the angle within ±MAX_SKEW at which the ink's rows are most
    uneven (lines of text and the gaps between them), found on a small copy."""
    import numpy as np
    from PIL import Image

    small = image.reduce(4)
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max((a / 2 for a in range(int(-2 * MAX_SKEW), int(2 * MAX_SKEW) + 1)), key=sharpness)
    angle = max((coarse + a / 10 for a in range(-5, 6)), key=sharpness)
    if abs(angle) < 0.05:
        return image
    return image.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
