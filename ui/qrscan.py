"""Reading the receipt's QR code at the terminal (申请进度查询 by scanning, no typing).

Where the zone's terminal has a camera (the 高拍仪 document camera most zones have), the status screen
offers 扫描回执二维码: :class:`QrScanner` runs the camera through Qt Multimedia (QCamera → QVideoSink),
hands a few frames a second to the task pool, where zxing-cpp (Apache-2.0) decodes them, and says
``scanned(trackingNumber)`` for the first frame whose QR holds a tracking number
(:func:`kiosk.applications.tracking.tracking_from_scan`). Without a camera ``available`` is false and
the screen offers typing only.

:func:`decode_image` is the whole decoding path for one picture and is what the tests drive with a
rendered receipt (no camera exists on a build machine).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtQml import QmlElement

from kiosk.applications.tracking import tracking_from_scan
from ui.services import Services, services_of

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1
FRAME_INTERVAL_S = 0.25  # frames decoded at most four times a second (the pool is shared)


def decode_image(image: QImage) -> str | None:
    """The tracking number in the receipt QR code pictured in ``image``, or None (Qt-free decode)."""
    import zxingcpp
    from PIL import Image

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())  # type: ignore[call-overload]
    picture = Image.frombuffer("L", (gray.width(), gray.height()), data, "raw", "L", gray.bytesPerLine(), 1)
    for found in zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode):
        number = tracking_from_scan(found.text)
        if number:
            return number
    return None


@QmlElement
class QrScanner(QObject):
    """QML: ``available`` (a camera exists), ``start()`` / ``stop()``, ``scanned(trackingNumber)``;
    ``videoSink`` for a VideoOutput's preview."""

    def __init__(self, parent: QObject | None = None, services: Services | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        self._camera: Any = None
        self._session: Any = None
        self._sink: Any = None
        self._busy = False
        self._last = 0.0
        self._active = False

    def _services(self) -> Services:
        if self._svc is None:
            self._svc = services_of(self)
        return self._svc

    availableChanged = Signal()

    @Property(bool, notify=availableChanged)
    def available(self) -> bool:
        from PySide6.QtMultimedia import QMediaDevices

        return bool(QMediaDevices.videoInputs())

    activeChanged = Signal()

    @Property(bool, notify=activeChanged)
    def active(self) -> bool:
        return self._active

    scanned = Signal(str, arguments=["trackingNumber"])

    @Slot(QObject)
    def start(self, video_sink: QObject | None = None) -> None:
        """Open the default camera; frames go to ``video_sink`` (a VideoOutput's) when given."""
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QVideoSink

        if self._active or not self.available:
            return
        self._camera = QCamera(self)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._sink = video_sink if isinstance(video_sink, QVideoSink) else QVideoSink(self)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self.frame)
        self._camera.start()
        self._active = True
        self.activeChanged.emit()

    @Slot()
    def stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()
        if self._sink is not None:
            self._sink.videoFrameChanged.disconnect(self.frame)
        self._camera = self._session = self._sink = None
        if self._active:
            self._active = False
            self.activeChanged.emit()

    @Slot(object)
    def frame(self, frame: Any) -> None:
        """One camera frame (a QVideoFrame): decoded on the pool unless one is being decoded already."""
        now = time.monotonic()
        if self._busy or now - self._last < FRAME_INTERVAL_S or not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        self._busy, self._last = True, now
        self._services().pool.run(lambda: decode_image(image), self._decoded, self._failed)

    def _decoded(self, number: str | None) -> None:
        self._busy = False
        if number and self._active:
            self.stop()
            self.scanned.emit(number)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log.warning("QR decode failed: %s", type(exc).__name__)
