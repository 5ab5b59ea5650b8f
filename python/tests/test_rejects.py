"""Rejected rows reconcile: rows in = outcomes + rejects, each reject with its
row, field, code and message, the same as the CLI's `--errors` file."""

from __future__ import annotations

import csv
import subprocess

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

import avenant

from conftest import POLICIES, POPULATION, ROOT


def read_population() -> pa.Table:
    # Every cell as text, exactly as the file holds it: no float on the way.
    names = POPULATION.read_text(encoding="utf-8").splitlines()[0].split(",")
    options = pacsv.ConvertOptions(column_types={name: pa.string() for name in names}, strings_can_be_null=False)
    return pacsv.read_csv(POPULATION, convert_options=options)


def test_rows_in_equal_outcomes_plus_rejects(in_force_2024):
    table = read_population()
    evaluation = in_force_2024.evaluate(table)
    assert evaluation.rows_in == table.num_rows == 10_000
    assert evaluation.rows_out == evaluation.outcomes.num_rows
    rejected_rows = set(evaluation.rejects.column("row").to_pylist())
    assert evaluation.rows_rejected == len(rejected_rows) > 0
    assert evaluation.outcomes.num_rows + len(rejected_rows) == table.num_rows
    outcome_rows = set(evaluation.outcomes.column("row").to_pylist())
    assert outcome_rows.isdisjoint(rejected_rows)
    assert outcome_rows | rejected_rows == set(range(1, table.num_rows + 1))


def test_the_outcomes_and_rejects_are_the_clis(in_force_2024, tmp_path):
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    # The CLI as `cargo test` builds it (nothing to do when it is built already).
    subprocess.run(["cargo", "build", "--quiet", "--bin", "avenant"], check=True, cwd=ROOT)
    binary = ROOT / "target" / "debug" / "avenant"
    command = [str(binary), "eval", str(POLICIES), "--on", "2024-10-01", "--profiles", str(POPULATION)]
    subprocess.run([*command, "--out", str(out), "--errors", str(errors), "--allow-rejects"], check=True, cwd=ROOT)
    evaluation = in_force_2024.evaluate(read_population())
    with errors.open(encoding="utf-8") as file:
        cli_rejects = [(int(row["row"]), row["field"] or None, row["code"], row["message"]) for row in csv.DictReader(file)]
    python_rejects = [
        (row["row"], row["field"], row["code"], row["message"]) for row in evaluation.rejects.to_pylist()
    ]
    assert python_rejects == cli_rejects
    with out.open(encoding="utf-8") as file:
        cli_outcomes = list(csv.DictReader(file))
    python_outcomes = evaluation.outcomes.to_pylist()
    assert len(python_outcomes) == len(cli_outcomes)
    for mine, theirs in zip(python_outcomes, cli_outcomes):
        for column, cell in theirs.items():
            value = mine[column]
            if cell == "":
                assert value is None, (column, mine["row"])
            elif isinstance(value, bool):
                assert str(value).lower() == cell
            else:
                from decimal import Decimal

                expected = Decimal(cell) if isinstance(value, Decimal) else cell
                assert (value if not isinstance(value, int) else str(value)) == expected, (column, mine["row"])


def test_a_bad_cell_is_a_reject_with_its_field_and_code(avenant_7):
    frame = pd.DataFrame(
        {
            "name": ["good", "bad"],
            "specialty": ["medecine_generale", "medecine_generalle"],
            "sector": ["secteur_1", "secteur_1"],
            "zone": ["zip", "zip"],
            "grouped_practice": [True, True],
            "coordinated_practice": [True, True],
            "patientele_mt": [700, 700],
            "file_active": [1300, 1300],
        }
    )
    evaluation = avenant_7.evaluate(frame)
    assert (evaluation.rows_in, evaluation.rows_out, evaluation.rows_rejected) == (2, 1, 1)
    reject = evaluation.rejects.iloc[0]
    assert reject["row"] == 2
    assert reject["field"] == "specialty"
    assert reject["code"].startswith("avenant::profile::")
    assert "medecine_generale" in (reject["help"] or "") + reject["message"]
    assert list(evaluation.outcomes["name"]) == ["good"]
