"""Errors are Python exceptions carrying the CLI's codes, messages and places."""

from __future__ import annotations

import pickle

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


def test_a_policy_sent_to_a_worker_is_the_one_loaded_or_an_error_there(tmp_path, monkeypatch):
    # A Dask or Spark worker unpickles a policy by loading its path again.
    text = (POLICIES / "avenant-7.policy").read_text(encoding="utf-8")
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a7.policy").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    policy = avenant.load("texts/a7.policy", on="2020-01-01")
    sent = pickle.dumps(policy)

    # Elsewhere, the same absolute path; a file of that name beside the worker is not read.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "texts").mkdir(parents=True)
    (elsewhere / "texts" / "a7.policy").write_text("not a policy", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    assert pickle.loads(sent).chain == policy.chain

    # A comment changed: the same rules.
    (folder / "a7.policy").write_text(text.replace("# option 1's P50", "# Option 1's P50"), encoding="utf-8")
    assert pickle.loads(sent).chain == policy.chain

    # An amount changed since it was loaded: the worker refuses what the client never checked.
    assert "| option_1 | 12 000 € |" in text, "avenant 7's aid table has moved: update this test"
    changed = text.replace("| option_1 | 12 000 € |", "| option_1 | 12 001 € |")
    (folder / "a7.policy").write_text(changed, encoding="utf-8")
    with pytest.raises(avenant.AvenantError) as raised:
        pickle.loads(sent)
    error = raised.value
    assert error.code == "avenant::chain::changed"
    assert error.place == str(folder / "a7.policy")
    assert "not the one that was loaded" in error.message
    assert error.diagnostics[0]["code"] == error.code
