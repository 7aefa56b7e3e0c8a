"""Header screenshots of failing pages: small, capped in total, and cleaned up by run."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from crawlers.brand import clean_old_evidence
from crawlers.brand.evidence import MAX_FILE_BYTES, run_folder, save_header_screenshot, shrink_png


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that compresses badly (random pixels), like a busy photographic header."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_big_screenshot_is_shrunk_under_the_file_cap() -> None:
    big = noisy_png(1600, 300)
    assert len(big) > MAX_FILE_BYTES
    small = shrink_png(big)
    assert len(small) <= MAX_FILE_BYTES
    with Image.open(io.BytesIO(small)) as image:
        assert image.format == "PNG" and image.width <= 1280


def test_a_small_screenshot_is_kept_as_it_is_in_size() -> None:
    png = noisy_png(100, 20)
    with Image.open(io.BytesIO(shrink_png(png))) as image:
        assert image.size == (100, 20)


def test_screenshots_go_in_one_folder_per_run(tmp_path: Path) -> None:
    path = save_header_screenshot(
        noisy_png(200, 40),
        evidence_dir=tmp_path,
        run_id=5,
        page_url="https://example.gov.uk/a",
        max_total_bytes=10 * 1024 * 1024,
    )
    assert path is not None and path.parent == tmp_path / "brand" / "run-5"
    again = save_header_screenshot(
        noisy_png(200, 40),
        evidence_dir=tmp_path,
        run_id=5,
        page_url="https://example.gov.uk/a",
        max_total_bytes=10 * 1024 * 1024,
    )
    assert again == path  # the same page in the same run replaces its screenshot
    assert run_folder(tmp_path, None).name == "run-adhoc"


def test_nothing_is_written_once_the_evidence_folder_is_full(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    (evidence / "journeys").mkdir(parents=True)
    (evidence / "journeys" / "trace.zip").write_bytes(b"x" * 50_000)
    saved = save_header_screenshot(
        noisy_png(100, 50),
        evidence_dir=evidence,
        run_id=1,
        page_url="https://example.gov.uk/",
        max_total_bytes=60_000,
    )
    assert saved is None
    assert not (evidence / "brand").exists()


def test_old_runs_evidence_is_cleaned(tmp_path: Path) -> None:
    for run_id in (1, 2, 3):
        save_header_screenshot(
            noisy_png(50, 10),
            evidence_dir=tmp_path,
            run_id=run_id,
            page_url="https://example.gov.uk/",
            max_total_bytes=10 * 1024 * 1024,
        )
    (tmp_path / "brand" / "notes").mkdir()  # not a run folder: left alone

    removed = clean_old_evidence(tmp_path, keep_run_ids=[3])

    assert sorted(p.name for p in removed) == ["run-1", "run-2"]
    assert sorted(p.name for p in (tmp_path / "brand").iterdir()) == ["notes", "run-3"]
    assert clean_old_evidence(tmp_path / "nowhere", []) == []
