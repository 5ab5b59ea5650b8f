"""Errors are Python exceptions carrying the CLI's codes, messages and places."""

from __future__ import annotations

import pytest

import avenant

from conftest import POLICIES, read_profile


def test_a_policy_with_an_error_names_its_code_and_place(tmp_path):
    text = (POLICIES / "avenant-7.policy").read_text(encoding="utf-8")
    broken = tmp_path / "broken.policy"
    broken.write_text(text.replace("output eligible = eligibility", "output eligible = eligibilty"), encoding="utf-8")
    with pytest.raises(avenant.AvenantError) as raised:
        avenant.load(broken, on="2020-01-01")
    error = raised.value
    assert error.code.startswith("avenant::check::")
    assert "eligibilty" in error.message
    path, line, column = error.place.rsplit(":", 2)
    assert path.endswith("broken.policy")
    assert text.splitlines()[int(line) - 1].startswith("output eligible")
    assert int(column) > 1
    assert error.diagnostics[0]["code"] == error.code


def test_a_syntax_error_has_a_place(tmp_path):
    broken = tmp_path / "broken.policy"
    broken.write_text("policy broken {\n  title \"x\"\n}\noutput = \n", encoding="utf-8")
    with pytest.raises(avenant.AvenantError) as raised:
        avenant.load(broken, on="2020-01-01")
    assert raised.value.code == "avenant::syntax"
    assert raised.value.place.endswith(":4:8") or ":4:" in raised.value.place


def test_no_text_in_force_is_an_error_with_its_code():
    with pytest.raises(avenant.AvenantError) as raised:
        avenant.load(POLICIES, on="2001-01-01")
    assert raised.value.code == "avenant::chain::no_text_in_force"
    assert "2001-01-01" in raised.value.message


def test_a_frame_whose_columns_are_not_the_fields_is_refused_whole(avenant_7):
    import pyarrow as pa

    with pytest.raises(avenant.AvenantError) as raised:
        avenant_7.evaluate(pa.table({"specialty": ["medecine_generale"], "speciality": ["x"]}))
    assert raised.value.code.startswith("avenant::profile::")
    assert "speciality" in str(raised.value.diagnostics)


def test_explaining_a_bad_profile_raises_with_the_field(avenant_7):
    profile = read_profile("dr-a.toml")
    profile["file_active"] = -3
    with pytest.raises(avenant.AvenantError) as raised:
        avenant_7.explain(profile)
    assert raised.value.code.startswith("avenant::profile::")
    assert raised.value.place == "file_active"
