"""QR codes for QML: ``image://qr/<percent-encoded text>`` renders ``text`` with the ``qrcode`` package.

A document's public address goes to the resident's phone this way. The provider is asynchronous-safe
(QQuickImageProvider with the Image type: Qt calls it on its image loader thread when the Image is
``asynchronous``) and keeps no state.
"""

from __future__ import annotations

from urllib.parse import unquote

import qrcode
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

QR_MAX_TEXT = 1000


def qr_image(text: str, pixels: int = 360) -> QImage:
    """The QR code for ``text`` as a black-on-white image about ``pixels`` wide (quiet zone included)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text[:QR_MAX_TEXT])
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    scale = max(1, pixels // n)
    # one byte per module, rows padded to 4 bytes as QImage requires, then scaled without smoothing
    stride = (n + 3) & ~3
    raw = bytearray(stride * n)
    for y, line in enumerate(matrix):
        raw[y * stride : y * stride + n] = bytes(0 if dark else 255 for dark in line)
    small = QImage(bytes(raw), n, n, stride, QImage.Format.Format_Grayscale8).copy()
    return small.scaled(
        n * scale, n * scale, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
    )


class QrImageProvider(QQuickImageProvider):
    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)

    def requestImage(self, id: str, size: QSize, requested: QSize) -> QImage:
        want = max(requested.width(), requested.height(), 0) or 360
        img = qr_image(unquote(id), want)
        if size is not None:
            size.setWidth(img.width())
            size.setHeight(img.height())
        return img
