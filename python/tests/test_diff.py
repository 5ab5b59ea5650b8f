"""`avenant.diff` gives what `avenant diff` gives: its summary, its per-profile rows, its rejects."""

from __future__ import annotations

import csv
import json
import subprocess
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

import avenant

from conftest import POLICIES, POPULATION, ROOT
from test_rejects import read_population


def test_a_diff_from_python_is_the_clis(tmp_path):
    old = avenant.load(POLICIES / "avenant-7.policy", on="2024-10-01")
    new = avenant.load(POLICIES / "convention-2024.policy", on="2024-10-01")
    result = avenant.diff(old, new, read_population())

    subprocess.run(["cargo", "build", "--quiet", "--bin", "avenant"], check=True, cwd=ROOT)
    rows_file = tmp_path / "rows.csv"
    command = [
        str(ROOT / "target" / "debug" / "avenant"),
        "diff",
        str(POLICIES / "avenant-7.policy"),
        str(POLICIES / "convention-2024.policy"),
        "--profiles",
        str(POPULATION),
        "--on",
        "2024-10-01",
        "--format",
        "json",
        "--out",
        str(rows_file),
        "--errors",
        str(tmp_path / "errors.csv"),
    ]
    cli = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert cli.stdout, cli.stderr
    assert result.summary == json.loads(cli.stdout, parse_float=Decimal)

    with rows_file.open(encoding="utf-8") as file:
        cli_rows = list(csv.DictReader(file))
    assert isinstance(result.rows, pa.Table)
    assert result.rows.num_rows == len(cli_rows) > 0
    for mine, theirs in zip(result.rows.to_pylist(), cli_rows):
        for column, cell in theirs.items():
            value = mine[column]
            if cell == "":
                assert value is None, column
            elif isinstance(value, bool):
                assert str(value).lower() == cell, column
            elif isinstance(value, Decimal):
                assert value == Decimal(cell), column
            else:
                assert str(value) == cell, column
    decimal_columns = [field.name for field in result.rows.schema if pa.types.is_decimal(field.type)]
    assert decimal_columns, "amounts come back as decimals"
    # Typed by the columns' meaning, never guessed from their values: a text
    # of digits stays a text, a number stays a number where every row is empty.
    schema = result.rows.schema
    assert schema.field("eligible.old").type == pa.bool_()
    assert schema.field("band.new").type == pa.string()
    assert schema.field("contract_year.old").type == pa.decimal128(38, 28)
    assert schema.field("aid_per_year.option_2.new").type == pa.decimal128(18, 2)
    assert schema.field("id").type == pa.string()

    # `--out rows.parquet` writes the same typed rows, value for value.
    parquet_command = [*command]
    parquet_command[parquet_command.index(str(rows_file))] = str(tmp_path / "rows.parquet")
    subprocess.run(parquet_command, cwd=ROOT, capture_output=True, text=True)
    assert pq.read_table(tmp_path / "rows.parquet").equals(result.rows)
    with (tmp_path / "errors.csv").open(encoding="utf-8") as file:
        assert result.rejects.num_rows == len(list(csv.DictReader(file))) > 0

    # `--errors rejected.parquet`: the same rejects, typed, with the line each row is on.
    parquet_command[parquet_command.index(str(tmp_path / "errors.csv"))] = str(tmp_path / "errors.parquet")
    subprocess.run(parquet_command, cwd=ROOT, capture_output=True, text=True)
    written = pq.read_table(tmp_path / "errors.parquet")
    assert written.column_names == ["row", "line", "side", "field", "code", "message", "help"]
    assert written.drop_columns(["line"]).equals(result.rejects)


def test_a_diff_reads_a_typed_frame_as_its_text(tmp_path):
    """The same population as typed Parquet columns (booleans, integers,
    decimals, dates, as `avenant population --out x.parquet` writes it) and
    as text: the same diff, row for row; and a cell that is no value at all
    stops it, as it stops `evaluate`."""
    old = avenant.load(POLICIES / "avenant-7.policy", on="2024-10-01")
    new = avenant.load(POLICIES / "convention-2024.policy", on="2024-10-01")
    subprocess.run(["cargo", "build", "--quiet", "--bin", "avenant"], check=True, cwd=ROOT)
    typed_file = tmp_path / "population.parquet"
    binary = str(ROOT / "target" / "debug" / "avenant")
    subprocess.run([binary, "population", "--size", "10000", "--out", str(typed_file)], check=True, cwd=ROOT)
    typed = pq.read_table(typed_file)
    assert typed.schema.field("contract_signed").type == pa.date32()

    from_text = avenant.diff(old, new, read_population())
    from_typed = avenant.diff(old, new, typed)
    assert from_typed.summary == from_text.summary
    assert from_typed.rows.equals(from_text.rows)
    assert from_typed.rejects.equals(from_text.rejects)

    import datetime

    import pytest

    noon = pa.array([datetime.datetime(2021, 3, 4, 12, 0)] * typed.num_rows)
    with_time = typed.set_column(typed.schema.get_field_index("contract_signed"), "contract_signed", noon)
    with pytest.raises(avenant.AvenantError) as error:
        avenant.diff(old, new, with_time)
    assert "time of day" in str(error.value)
