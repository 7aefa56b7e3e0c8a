"""brand.yaml mistakes stop ``monitor config check`` with exit code 2, naming the file,
the line and the key; brand exemptions and weights must name real brand rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config import load_config
from tests.conftest import CONFIG_DIR


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` once; return the line number where ``new`` begins."""
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def config_check(folder: Path) -> tuple[int, str]:
    """Exit code and output without whitespace (rich wraps long lines anywhere)."""
    result = CliRunner().invoke(app, ["config", "check", "--config-dir", str(folder)])
    return result.exit_code, squeeze(result.output)


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_an_invalid_colour_names_file_line_and_key(config_dir: Path) -> None:
    line = edit(config_dir, "brand.yaml", '  link: "#1d5fa8"', '  link: "#1d5fa"')
    code, output = config_check(config_dir)
    assert code == 2
    assert squeeze(f"brand.yaml:{line}: palette.link: expected a hex colour") in output
    assert squeeze("'#1d5fa'") in output


def test_a_missing_logo_file_names_file_line_and_key(config_dir: Path) -> None:
    line = edit(config_dir, "brand.yaml", "  file: brand/logo.png", "  file: brand/logo-2024.png")
    code, output = config_check(config_dir)
    assert code == 2
    assert (
        squeeze(f"brand.yaml:{line}: logo.file: logo file 'brand/logo-2024.png' not found")
        in output
    )


def test_an_unknown_key_names_file_line_and_key(config_dir: Path) -> None:
    line = edit(config_dir, "brand.yaml", "  in_header: true", "  in_headr: true")
    code, output = config_check(config_dir)
    assert code == 2
    assert squeeze(f"brand.yaml:{line}: logo.in_headr: unknown key") in output


def test_a_tolerance_out_of_range_is_refused(config_dir: Path) -> None:
    edit(config_dir, "brand.yaml", "tolerance_delta_e: 5.0", "tolerance_delta_e: -1")
    code, output = config_check(config_dir)
    assert code == 2 and "tolerance_delta_e" in output


def test_exemptions_must_name_brand_rules(config_dir: Path) -> None:
    line = edit(
        config_dir,
        "services.yaml",
        "    tags: {supplier: ParkRight Services}",
        "    tags: {supplier: ParkRight Services}\n    brand_exemptions: [palette, colour]",
    )
    code, output = config_check(config_dir)
    assert code == 2
    assert squeeze(f"services.yaml:{line + 1}: services[5].brand_exemptions[1]") in output
    assert squeeze("'palette'") in output  # the message lists the rules that exist


def test_exemptions_and_weights_of_real_rules_are_accepted(config_dir: Path) -> None:
    edit(
        config_dir,
        "services.yaml",
        "    tags: {supplier: ParkRight Services}",
        "    tags: {supplier: ParkRight Services}\n    brand_exemptions: [cookie-banner]",
    )
    edit(config_dir, "brand.yaml", "favicon: true", "favicon: true\nweights: {logo: 2, palette: 2}")
    config = load_config(config_dir)
    assert config.service("pay-a-parking-fine").brand_exemptions == ["cookie-banner"]
    assert config.brand.weights == {"logo": 2.0, "palette": 2.0}


def test_weights_must_name_brand_rules(config_dir: Path) -> None:
    line = edit(config_dir, "brand.yaml", "favicon: true", "favicon: true\nweights: {logos: 2}")
    code, output = config_check(config_dir)
    assert code == 2 and squeeze(f"brand.yaml:{line + 1}: weights.logos") in output
