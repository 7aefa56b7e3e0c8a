"""Evidence for a page that fails the brand rules: a small PNG of its header.

Files live in ``<evidence_dir>/brand/run-<id>/``, one folder per run, so old runs are
removed by deleting folders (``clean_old_evidence``). Every file is kept under
``MAX_FILE_BYTES`` by downscaling, and nothing is written once the evidence folder as a
whole has reached its cap (``settings.evidence_max_mb``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

MAX_FILE_BYTES = 200 * 1024
MAX_WIDTH = 1280
BRAND_FOLDER = "brand"
_RUN_FOLDER = re.compile(r"^run-(\d+|adhoc)$")

# Size of each evidence folder as last measured, so a run of 5,000 pages does not walk the
# folder 5,000 times: (measured at, bytes). Writes add to it; re-measured after a minute.
_SIZES: dict[Path, tuple[float, int]] = {}
_REMEASURE_SECONDS = 60.0


def run_folder(evidence_dir: Path, run_id: int | None) -> Path:
    """Where a run's brand evidence goes (``run-adhoc`` for one-off checks)."""
    return evidence_dir / BRAND_FOLDER / f"run-{run_id if run_id is not None else 'adhoc'}"


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue  # removed while we walked
    return total


def _evidence_bytes(evidence_dir: Path) -> int:
    key = evidence_dir.resolve()
    measured = _SIZES.get(key)
    if measured is None or time.monotonic() - measured[0] > _REMEASURE_SECONDS:
        measured = (time.monotonic(), folder_bytes(evidence_dir))
        _SIZES[key] = measured
    return measured[1]


def _add_bytes(evidence_dir: Path, size: int) -> None:
    key = evidence_dir.resolve()
    at, total = _SIZES.get(key, (time.monotonic(), 0))
    _SIZES[key] = (at, total + size)


def shrink_png(png: bytes, max_bytes: int = MAX_FILE_BYTES, max_width: int = MAX_WIDTH) -> bytes:
    """The image as a PNG of at most ``max_bytes``: downscaled, then reduced to 256 colours."""
    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("RGB")
    if image.width > max_width:
        image = image.resize((max_width, max(1, image.height * max_width // image.width)))
    palette = False
    while True:
        frame = image.quantize(256) if palette else image
        buffer = io.BytesIO()
        # zlib's default level: ``optimize`` tries harder for a few per cent and cost more
        # processor time than the rest of the branding check.
        frame.save(buffer, format="PNG")
        data = buffer.getvalue()
        if len(data) <= max_bytes or image.width <= 16:
            return data
        if not palette:
            palette = True  # 256 colours first: a header has few, so it barely shows
            continue
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))


def save_header_screenshot(
    png: bytes,
    *,
    evidence_dir: Path,
    run_id: int | None,
    page_url: str,
    max_total_bytes: int,
    max_bytes: int = MAX_FILE_BYTES,
) -> Path | None:
    """Store a page's header screenshot; None when the evidence folder is full."""
    data = shrink_png(png, max_bytes)
    if _evidence_bytes(evidence_dir) + len(data) > max_total_bytes:
        return None
    folder = run_folder(evidence_dir, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = "header-" + hashlib.sha256(page_url.encode()).hexdigest()[:16] + ".png"
    path = folder / name
    previous = path.stat().st_size if path.exists() else 0
    path.write_bytes(data)
    _add_bytes(evidence_dir, len(data) - previous)
    return path


def clean_old_evidence(evidence_dir: Path, keep_run_ids: Iterable[int]) -> list[Path]:
    """Delete the brand evidence of every run not in ``keep_run_ids``; return what went."""
    keep = {f"run-{run_id}" for run_id in keep_run_ids}
    root = evidence_dir / BRAND_FOLDER
    if not root.is_dir():
        return []
    removed = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and _RUN_FOLDER.match(folder.name) and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    _SIZES.pop(evidence_dir.resolve(), None)
    return removed
