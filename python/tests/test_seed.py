"""The seed's worked cases (seed 000, Assurance Maladie, 29 September 2020),
exact through Python: the same figures as tests/seed.rs, from a pandas frame,
a polars frame and an Arrow table."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from conftest import read_profile

# profile, option, file active target, patientèle MT target, aid per year (as the seed writes them)
CASES = [
    ("dr-a.toml", "option_1", 260, 140, ("12000.00", "9000.00", "7000.00")),
    ("dr-a.toml", "option_2", 325, 175, ("18000.00", "13500.00", "10500.00")),
    ("dr-a.toml", "option_3", 455, 245, ("36000.00", "27000.00", "21000.00")),
    ("dr-b.json", "option_1", 156, 94, ("12000.00", "9000.00", "7000.00")),
    ("dr-b.json", "option_2", 260, 157, ("18000.00", "13500.00", "10500.00")),
    ("dr-b.json", "option_3", 416, 252, ("36000.00", "27000.00", "21000.00")),
    ("dr-c.yaml", "option_1", 210, None, ("12000.00", "9000.00", "7000.00")),
    ("dr-d.toml", "option_2", 215, None, ("18000.00", "13500.00", "10500.00")),
    ("dr-e.yml", "option_3", 1100, None, ("36000.00", "27000.00", "21000.00")),
]
PROFILES = ["dr-a.toml", "dr-b.json", "dr-c.yaml", "dr-d.toml", "dr-e.yml"]


def profiles_table() -> pa.Table:
    rows = [read_profile(name) for name in PROFILES]
    columns = sorted({key for row in rows for key in row})
    # Every column typed as pyarrow infers it from Python values: text, integers, booleans.
    return pa.table({column: [row.get(column) for row in rows] for column in columns})


def check_cases(rows: dict[str, dict]) -> None:
    for profile, option, file_active, patientele_mt, aid in CASES:
        outcome = rows[read_profile(profile)["name"]]
        context = f"{profile} {option}"
        assert outcome["eligible"] is True, context
        assert outcome[f"options.{option}.open"] is True, context
        assert outcome[f"options.{option}.target_file_active"] == Decimal(file_active), context
        expected_mt = None if patientele_mt is None else Decimal(patientele_mt)
        assert outcome[f"options.{option}.target_patientele_mt"] == expected_mt, context
        got = tuple(outcome[f"options.{option}.aid.{year}"] for year in ("year_1", "year_2", "year_3_and_after"))
        # Decimals with the seed's two places, not floats that happen to print alike.
        assert all(isinstance(value, Decimal) for value in got), context
        assert tuple(str(value) for value in got) == aid, context


def test_every_worked_case_comes_out_exact_from_arrow(avenant_7):
    outcomes, rejects = avenant_7.evaluate(profiles_table())
    assert isinstance(outcomes, pa.Table)
    assert rejects.num_rows == 0
    check_cases({row["name"]: row for row in outcomes.to_pylist()})


def test_every_worked_case_comes_out_exact_from_pandas(avenant_7):
    frame = profiles_table().to_pandas()
    outcomes, rejects = avenant_7.evaluate(frame)
    assert isinstance(outcomes, pd.DataFrame) and len(rejects) == 0
    assert isinstance(outcomes["options.option_1.aid.year_1"].dtype, pd.ArrowDtype)
    assert pa.types.is_decimal(outcomes["options.option_1.aid.year_1"].dtype.pyarrow_dtype)
    assert outcomes["eligible"].dtype == pd.ArrowDtype(pa.bool_())
    check_cases({row["name"]: row for row in outcomes.to_dict("records")})


def test_every_worked_case_comes_out_exact_from_polars(avenant_7):
    frame = pl.from_arrow(profiles_table())
    outcomes, rejects = avenant_7.evaluate(frame)
    assert isinstance(outcomes, pl.DataFrame) and rejects.height == 0
    assert outcomes.schema["options.option_3.aid.year_1"] == pl.Decimal(18, 2)
    check_cases({row["name"]: row for row in outcomes.to_dicts()})


def test_fte_band_and_certainty_are_as_the_cli_gives_them(avenant_7):
    outcomes, _ = avenant_7.evaluate(profiles_table())
    dr_a = next(row for row in outcomes.to_pylist() if row["name"] == "Dr A")
    assert [dr_a[f"options.option_{n}.fte"] for n in (1, 2, 3)] == ["1/3", "1/2", "1"]
    # Dr A's band rests on the GP P50 threshold, which no source gives.
    assert dr_a["certainty.band"] == "assumed"
    assert dr_a["certainty.options"] == "assumed"


def test_explain_gives_the_derivation_as_python_data(avenant_7):
    explanation = avenant_7.explain(read_profile("dr-a.toml"), name="dr-a.toml")
    text = repr(explanation)
    assert "options" in text
    # Every number parsed as a Decimal: the aid is there to the cent.
    assert "Decimal('12000.00')" in text or "'12000.00'" in text


def test_a_date_column_is_read_as_a_date(in_force_2024):
    profile = read_profile("new-contract-2024-09.toml")
    table = pa.table({key: [value] for key, value in profile.items()})
    assert any(pa.types.is_date(field.type) for field in table.schema) or "contract_signed" not in profile
    outcomes, rejects = in_force_2024.evaluate(table)
    assert rejects.num_rows == 0, rejects.to_pylist()
    assert outcomes.num_rows == 1
    assert isinstance(in_force_2024.on, datetime.date)
