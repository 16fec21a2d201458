"""The shipped config files: the default mirrors the built-in defaults; overlays are valid."""

from pathlib import Path

import pytest

from sim.config.loading import list_scenarios, load_config
from sim.config.paramdoc import default_yaml, parameter_rows
from sim.config.schema import SimConfig

ROOT = Path(__file__).resolve().parents[1]


def test_default_yaml_mirrors_builtin_defaults():
    assert load_config(ROOT / "configs" / "default.yaml") == SimConfig()
    body = (ROOT / "configs" / "default.yaml").read_text().split("\n", 3)[3]
    assert body.strip() == default_yaml().strip(), "regenerate configs/default.yaml"


@pytest.mark.parametrize("name", list_scenarios())
def test_scenario_overlays_are_valid_and_differ(name):
    assert load_config(scenario=name) != SimConfig()


def test_at_least_six_scenarios():
    assert len(list_scenarios()) >= 6


def test_every_parameter_documents_unit_and_source():
    for row in parameter_rows():
        if row["name"].endswith((".name", ".kind")) or row["name"] == "occupations.source":
            continue
        assert row["doc"].startswith("["), f"{row['name']} lacks a [unit]"
        assert len(row["doc"]) > 12, f"{row['name']} lacks a source"


def test_set_overrides_address_list_items_by_name_or_index():
    a = load_config(overrides=["labs.frontier_b.human_researchers=10"])
    b = load_config(overrides=["labs.1.human_researchers=10"])
    assert a == b and a.labs[1].human_researchers == 10


def test_scenarios_and_peer_records_are_found_from_any_folder(tmp_path, monkeypatch):
    """The repository's configs and ``../shared`` are found beside the package, not only from
    the repository root."""
    from sim.config import loading, peers

    monkeypatch.chdir(tmp_path)
    assert "slow_adoption" in loading.list_scenarios()
    assert (loading.REPO_CONFIGS / "default.yaml").is_file()
    assert peers.DEFAULT_DATA_DIR.name == "peers" and peers.DEFAULT_DATA_DIR.parent.name == "shared"
    assert peers.DEFAULT_DATA_DIR.parent.parent == loading.REPO_CONFIGS.parent.parent
