"""Every type round-trips through Python, and a decimal never passes through a float."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import avenant

from conftest import ROOT

TYPES = ROOT / "python" / "tests" / "data" / "types.policy"


@pytest.fixture(scope="module")
def types_policy():
    return avenant.load(TYPES, on="2024-01-01")


def one_row(**values) -> pa.Table:
    row = {
        "name": "A",
        "amount": Decimal("0.1"),
        "other": Decimal("0.2"),
        "share": Decimal("0.85"),
        "count": 10,
        "signed": datetime.date(2021, 3, 4),
        "flag": True,
        "colour": "red",
    }
    row.update(values)
    return pa.table({key: [value] for key, value in row.items()})


def test_the_outcome_columns_have_real_types(types_policy):
    schema = types_policy.outcome_schema
    assert schema.field("row").type == pa.uint64()
    assert schema.field("total").type == pa.decimal128(18, 2)
    assert schema.field("share_of_count").type == pa.decimal128(18, 0)
    assert schema.field("raw_share").type == pa.decimal128(38, 28)
    assert schema.field("signed").type == pa.date32()
    assert schema.field("flag").type == pa.bool_()
    assert schema.field("colour").type == pa.string()
    assert schema.field("certainty.total").type == pa.string()


def test_every_type_round_trips(types_policy):
    outcomes, rejects = types_policy.evaluate(one_row())
    assert rejects.num_rows == 0
    row = outcomes.to_pylist()[0]
    assert row["signed"] == datetime.date(2021, 3, 4)
    assert row["flag"] is False
    assert row["colour"] == "red"
    assert row["raw_share"] == Decimal("0.85")
    assert row["certainty.total"] == "established"


@pytest.mark.parametrize(
    "amount, other",
    [
        (Decimal("0.1"), Decimal("0.2")),  # Arrow decimals
        ("0.1", "0.2"),  # text, as a CSV cell
    ],
)
def test_a_tenth_and_two_tenths_are_three_tenths(types_policy, amount, other):
    outcomes, _ = types_policy.evaluate(one_row(amount=amount, other=other))
    total = outcomes.column("total")[0].as_py()
    assert isinstance(total, Decimal)
    assert total == Decimal("0.30") and str(total) == "0.30"
    assert 0.1 + 0.2 != 0.3  # what a float would have given


def test_a_decimal_keeps_every_digit_a_float_would_lose(types_policy):
    # 2^53 + 1 euros and a cent: no float holds it.
    big = Decimal("9007199254740993.01")
    outcomes, _ = types_policy.evaluate(one_row(amount=big, other=Decimal("0")))
    assert outcomes.column("total")[0].as_py() == big


@pytest.mark.parametrize(
    "amount, half_even, half_up",
    [("2.5", "2", "3"), ("3.5", "4", "4"), ("-2.5", "-2", "-3"), ("0.5", "0", "1")],
)
def test_half_way_cases_round_as_the_policy_says(types_policy, amount, half_even, half_up):
    outcomes, _ = types_policy.evaluate(one_row(amount=Decimal(amount)))
    row = outcomes.to_pylist()[0]
    assert row["half_even"] == Decimal(half_even)
    assert row["half_up"] == Decimal(half_up)


def test_a_share_half_way_rounds_half_up(types_policy):
    # 10 × 85 % = 8.5 patients, rounded half up: 9.
    outcomes, _ = types_policy.evaluate(one_row(share="85 %", count=10))
    assert outcomes.column("share_of_count")[0].as_py() == Decimal(9)


def test_pandas_and_polars_columns_are_arrow_backed_decimals(types_policy):
    frame = one_row().to_pandas()
    outcomes, _ = types_policy.evaluate(frame)
    assert outcomes["total"].dtype == pd.ArrowDtype(pa.decimal128(18, 2))
    assert outcomes["total"].iloc[0] == Decimal("0.30")
    assert outcomes["signed"].dtype == pd.ArrowDtype(pa.date32())
    polars_outcomes, _ = types_policy.evaluate(pl.from_arrow(one_row()))
    assert polars_outcomes["total"].dtype == pl.Decimal(18, 2)
    assert polars_outcomes["total"][0] == Decimal("0.30")


def two_rows(**columns) -> pd.DataFrame:
    frame = {
        "name": ["A", "B"],
        "amount": ["0.10", "1.25"],
        "other": ["0.20", "0"],
        "share": ["0.5", "50 %"],
        "count": [10, 3],
        "signed": pd.to_datetime(["2021-03-04", "2020-01-01"]),
        "flag": [True, False],
        "colour": ["red", "blue"],
    }
    frame.update(columns)
    return pd.DataFrame(frame)


def test_pandas_missing_numbers_and_categories_are_read(types_policy):
    frame = two_rows(colour=pd.Categorical(["red", "blue"]))
    outcomes, rejects = types_policy.evaluate(frame)
    assert len(rejects) == 0, rejects
    assert list(outcomes["total"]) == [Decimal("0.30"), Decimal("1.25")]
    assert list(outcomes["colour"]) == ["red", "blue"]
    assert list(outcomes["signed"]) == [datetime.date(2021, 3, 4), datetime.date(2020, 1, 1)]


def test_a_date_in_a_time_zone_is_that_date_there(types_policy):
    # pandas keeps a zoned date as the instant of its midnight there: in
    # Paris, 23:00 UTC the day before.
    frame = two_rows(signed=pd.to_datetime(["2021-03-04", "2020-07-14"]).tz_localize("Europe/Paris"))
    outcomes, rejects = types_policy.evaluate(frame)
    assert len(rejects) == 0, rejects
    assert list(outcomes["signed"]) == [datetime.date(2021, 3, 4), datetime.date(2020, 7, 14)]


def test_a_timestamp_with_a_time_of_day_is_refused(types_policy):
    table = one_row().set_column(5, "signed", pa.array([datetime.datetime(2021, 3, 4, 12, 0)]))
    with pytest.raises(avenant.AvenantError) as error:
        types_policy.evaluate(table)
    assert "time of day" in str(error.value)
