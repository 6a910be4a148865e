"""Writing a plot to a picture: PNG through pyqtgraph's exporter, SVG through Qt's own
generator."""

from __future__ import annotations

from pathlib import Path

from nnplay.io.atomic import check_target
from nnplay.io.export import ExportError


def export_plot(plot, path: str | Path, force: bool = False) -> None:
    """Write ``plot`` (a boundary or curves view) as PNG or SVG by ``path``'s suffix;
    raises ``ExportError`` for another suffix, ``ReadOnlyTarget`` for a read-only file
    (unless ``force``) and ``OSError`` when nothing is written."""
    import pyqtgraph.exporters as exporters

    suffix = Path(path).suffix.lower()
    check_target(path, force)  # the exporters write in place: never onto a device or a pipe
    if suffix == ".svg":
        write_svg(plot.graphics, path)
    elif suffix == ".png":
        exporter = exporters.ImageExporter(plot.export_item())
        exporter.parameters()["width"] = max(800, int(plot.width() * 2))
        exporter.export(str(path))
    else:
        raise ExportError(f"cannot export a plot to '{suffix or 'no suffix'}'; use .png or .svg")
    if not Path(path).exists():
        raise OSError("nothing was written (is the folder writable?)")


def write_svg(view, path: str | Path) -> None:
    """Draw a plot widget into an SVG file with Qt's own generator.

    pyqtgraph's SVG exporter cannot parse the path syntax recent Qt versions write.
    Two details keep the drawing where the screen has it: the generator gets the
    screen's resolution (axes replay cached QPictures, which scale by the DPI ratio),
    and scatter points are drawn as shapes, not as fragments of a cached pixmap atlas.
    """
    import pyqtgraph as pg
    from PySide6.QtCore import QRect, QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    viewport = view.viewport()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setResolution(view.logicalDpiX())
    generator.setSize(viewport.size())
    generator.setViewBox(QRect(0, 0, viewport.width(), viewport.height()))
    generator.setTitle("nnplay plot")
    scatters = [item for item in view.scene().items() if isinstance(item, pg.ScatterPlotItem)]
    cached = [item.opts.get("useCache", True) for item in scatters]
    for item in scatters:
        item.opts["useCache"] = False
    painter = QPainter(generator)
    try:
        view.render(painter, QRectF(0, 0, viewport.width(), viewport.height()), viewport.rect())
    finally:
        painter.end()
        for item, was in zip(scatters, cached):
            item.opts["useCache"] = was
