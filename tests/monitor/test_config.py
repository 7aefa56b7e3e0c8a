"""Config validation: every mistake names the file, the line and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config import MeasureId, load_config
from monitor.yamlsource import ConfigError
from tests.conftest import CONFIG_DIR


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    return folder


def replace(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def line_of(folder: Path, name: str, needle: str) -> int:
    for number, line in enumerate((folder / name).read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    return [str(p) for p in caught.value.problems]


def test_the_demo_configuration_is_valid() -> None:
    config = load_config(CONFIG_DIR)
    assert [s.id for s in config.services][:2] == ["council-website", "report-a-pothole"]
    assert config.brand.palette["primary"] == "#1d3f6e"
    assert config.thresholds(MeasureId.brand_compliance, "pay-a-parking-fine").target == 90
    assert config.thresholds(MeasureId.brand_compliance, "join-the-library").target == 95


def test_the_real_services_example_is_valid_services_yaml(config_dir: Path) -> None:
    shutil.copy(
        CONFIG_DIR / "examples" / "real-services.example.yaml", config_dir / "services.yaml"
    )
    shutil.rmtree(config_dir / "examples")
    config_dir.joinpath("measures.yaml").write_text(
        config_dir.joinpath("measures.yaml").read_text().split("overrides:")[0]
    )
    config = load_config(config_dir)
    assert config.service("report-a-pothole").hosts == ["www.kent.gov.uk"]
    account = config.service("my-account").sign_in
    assert account is not None and account.page_pattern == "^/(sign-in|login)"
    assert config.service("parking-permits").spa is not None


def test_environment_values_fill_in_addresses(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_SITE", "http://127.0.0.1:9999")
    config = load_config(config_dir)
    assert config.service("join-the-library").start_urls == [
        "http://127.0.0.1:9999/join-the-library"
    ]
    assert config.service("join-the-library").hosts == ["127.0.0.1:9999"]


def test_malformed_yaml_names_file_and_line(config_dir: Path) -> None:
    replace(
        config_dir, "services.yaml", "    name: Join the library", "    name: [Join the library"
    )
    found = problems(config_dir)
    assert len(found) == 1
    assert "services.yaml:" in found[0] and "malformed YAML" in found[0]


def test_unknown_key_names_file_line_and_key(config_dir: Path) -> None:
    replace(
        config_dir,
        "services.yaml",
        "    name: Join the library",
        "    name: Join the library\n    max_pagez: 3",
    )
    expected_line = line_of(config_dir, "services.yaml", "max_pagez")
    found = problems(config_dir)
    assert found == [
        f"{config_dir / 'services.yaml'}:{expected_line}: services[4].max_pagez: "
        "unknown key (check its spelling against the README)"
    ]


def test_wrong_type_says_what_was_expected(config_dir: Path) -> None:
    replace(config_dir, "services.yaml", "  max_pages: 50", "  max_pages: lots")
    (problem,) = problems(config_dir)
    line = line_of(config_dir, "services.yaml", "max_pages: lots")
    assert f"services.yaml:{line}: defaults.max_pages:" in problem
    assert "valid integer" in problem and "'lots'" in problem


def test_duplicate_service_ids_are_refused(config_dir: Path) -> None:
    replace(config_dir, "services.yaml", "  - id: join-the-library", "  - id: school-admissions")
    (problem,) = problems(config_dir)
    assert "services[4].id" in problem and "duplicate service id 'school-admissions'" in problem
    lines = [
        n
        for n, text in enumerate((config_dir / "services.yaml").read_text().splitlines(), 1)
        if "id: school-admissions" in text
    ]
    assert f"services.yaml:{lines[1]}:" in problem


def test_bad_url_and_bad_regex_are_both_reported(config_dir: Path) -> None:
    replace(
        config_dir,
        "services.yaml",
        '["${DEMO_SITE:-http://127.0.0.1:8700}/join-the-library"]',
        '["ftp://nowhere"]',
    )
    replace(
        config_dir,
        "services.yaml",
        "include: ['^/join-the-library']",
        "include: ['^/join-(the-library']",
    )
    found = problems(config_dir)
    assert len(found) == 2
    assert any("services[4].start_urls[0]" in p and "http:// or https://" in p for p in found)
    assert any(
        "services[4].include[0]" in p and "not a valid regular expression" in p for p in found
    )


def test_a_key_written_twice_is_reported(config_dir: Path) -> None:
    replace(
        config_dir,
        "brand.yaml",
        '  primary: "#1d3f6e"',
        '  primary: "#1d3f6e"\n  primary: "#000000"',
    )
    (problem,) = problems(config_dir)
    assert "brand.yaml:" in problem and "palette.primary" in problem and "written twice" in problem


def test_problems_in_several_files_are_reported_at_once(config_dir: Path) -> None:
    replace(config_dir, "brand.yaml", '  focus: "#ffdd00"', '  focus: "yellowish"')
    replace(
        config_dir,
        "measures.yaml",
        "    target: 80\n    amber: 65",
        "    target: 80\n    amber: 95",
    )
    (config_dir / "brand" / "logo.png").unlink()
    found = problems(config_dir)
    assert any("brand.yaml" in p and "palette.focus" in p and "hex colour" in p for p in found)
    assert any("brand.yaml" in p and "logo.file" in p and "not found" in p for p in found)
    assert any(
        "measures.yaml" in p and "measures.satisfaction" in p and "amber" in p for p in found
    )


def test_journey_steps_need_exactly_one_known_action(config_dir: Path) -> None:
    replace(
        config_dir,
        "services.yaml",
        "    tags: {directorate: children-young-people-education}",
        "    tags: {directorate: children-young-people-education}\n"
        "    journeys:\n"
        "      - id: join\n"
        "        name: Join\n"
        "        steps:\n"
        "          - goto: /join-the-library\n"
        "          - teleport: /elsewhere\n"
        "          - fill: {label: Name}\n",
    )
    found = problems(config_dir)
    teleport = line_of(config_dir, "services.yaml", "teleport")
    assert any(
        f":{teleport}: services[3].journeys[0].steps[1].teleport: unknown key" in p for p in found
    )
    assert any("steps[2].fill.value: required key is missing" in p for p in found)


def test_measures_overrides_must_name_a_known_service(config_dir: Path) -> None:
    replace(config_dir, "measures.yaml", "  pay-a-parking-fine:", "  pay-a-parking-fin:")
    (problem,) = problems(config_dir)
    assert "overrides.pay-a-parking-fin" in problem and "unknown service id" in problem


def test_config_check_prints_every_problem_and_exits_2(config_dir: Path) -> None:
    replace(config_dir, "services.yaml", "  max_depth: 4", "  max_depth: -1")
    replace(
        config_dir, "brand.yaml", "tolerance_delta_e: 5.0", "tolerance_delta_e: 5.0\nshade: blue"
    )
    result = CliRunner().invoke(app, ["config", "check", "--config-dir", str(config_dir)])
    assert result.exit_code == 2
    assert "2 problem(s)" in result.output
    assert "defaults.max_depth" in result.output and "shade: unknown key" in result.output


def test_config_check_accepts_the_demo_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setenv("DEMO_ACCOUNT_EMAIL", "someone@example.com")
    result = CliRunner().invoke(app, ["config", "check", "--config-dir", str(CONFIG_DIR)])
    assert result.exit_code == 0, result.output
    assert "8 services" in result.output and "1 signing in" in result.output
    # The sign-in's secrets are named when not set here; never shown when they are.
    said = " ".join(result.output.split())
    assert "my-account signs in with DEMO_ACCOUNT_PASSWORD, not set here" in said
    assert "someone@example.com" not in result.output


def test_a_missing_config_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["config", "check", "--config-dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "config folder not found" in result.output


def test_published_numbers_must_be_telephone_numbers(config_dir: Path) -> None:
    replace(config_dir, "services.yaml", '- "03069 990000"', '- "call us"')
    replace(config_dir, "services.yaml", '- "03069 990999"', '- "999"')
    found = problems(config_dir)
    line = line_of(config_dir, "services.yaml", '- "call us"')
    assert any(
        f"services.yaml:{line}" in p
        and "feedback.published_numbers[0]" in p
        and "expected a telephone number the council publishes" in p
        for p in found
    ), found
    assert any("feedback.published_numbers[2]" in p and "at least 5 digits" in p for p in found), (
        found
    )
    assert len(found) == 2
