"""Shared fixtures: the repository's policies, examples and shipped population."""

from __future__ import annotations

import json
import pathlib
import tomllib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
EXAMPLES = ROOT / "examples"
POPULATION = EXAMPLES / "population-10000.csv"


def read_profile(name: str) -> dict:
    """An example profile file as a row: its fields and its name, without its description."""
    path = EXAMPLES / name
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        profile = tomllib.loads(text)
    elif path.suffix == ".json":
        profile = json.loads(text)
    else:
        profile = yaml.safe_load(text)
    profile.pop("description", None)
    return profile


@pytest.fixture(scope="session")
def avenant_7():
    import avenant

    return avenant.load(POLICIES / "avenant-7.policy", on="2020-01-01")


@pytest.fixture(scope="session")
def in_force_2024():
    import avenant

    return avenant.load(POLICIES, on="2024-10-01")
