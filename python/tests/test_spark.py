"""PySpark: the profiles of a Spark DataFrame evaluated on Spark's executors
by `avenant.spark` (`mapInArrow`, a batch of Arrow columns at a time) give
the outcomes and the rejected rows of one machine."""

from __future__ import annotations

import collections
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import avenant.spark

from conftest import ROOT

BATCH_ROWS = 1000

# PySpark warns of pandas 3 on every job; `avenant.spark` hands it no pandas.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark():
    # The executors' Python is this one, which has avenant: on a cluster, it is installed on each.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("avenant tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH_ROWS))
        .getOrCreate()
    )
    yield session
    session.stop()


def population(folder) -> str:
    """The shipped population drawn again as typed Parquet by the CLI."""
    subprocess.run(["cargo", "build", "--quiet", "--bin", "avenant"], check=True, cwd=ROOT)
    path = folder / "population.parquet"
    command = [str(ROOT / "target" / "debug" / "avenant"), "population", "--size", "10000", "--out", str(path)]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    return str(path)


def reasons(rejects: pa.Table) -> collections.Counter:
    """How many times each reason is given: field, code, message and help."""
    columns = (rejects[name].to_pylist() for name in ("field", "code", "message", "help"))
    return collections.Counter(zip(*columns))


def test_a_spark_dataframe_gives_the_outcomes_and_rejects_of_one_machine(spark, in_force_2024, tmp_path):
    path = population(tmp_path)
    local_outcomes, local_rejects = in_force_2024.evaluate_arrow(pq.read_table(path))
    profiles = spark.read.parquet(path)

    outcomes = avenant.spark.outcomes(profiles, in_force_2024).toArrow()
    rejects = avenant.spark.rejects(profiles, in_force_2024).toArrow()
    profile_ids = pq.read_table(path)["id"].to_pylist()

    # Typed as one machine types them, but for `row`: Spark has no unsigned integers.
    assert outcomes.schema.field("row").type == pa.int64()
    assert outcomes.schema.remove(0).equals(local_outcomes.schema.remove(0))
    assert rejects.schema.field("row").type == pa.int64()
    assert rejects.schema.field(1).name == "name", "the profile each rejected row is, by the frame's `id`"
    assert rejects.schema.remove(1).remove(0).equals(local_rejects.schema.remove(0))
    # A batch numbers its rows from 1: profiles are matched by name.
    assert max(outcomes["row"].to_pylist()) <= BATCH_ROWS < local_outcomes.num_rows
    assert outcomes.num_rows == local_outcomes.num_rows > 8_000
    assert outcomes.drop_columns(["row"]).sort_by("name").equals(local_outcomes.drop_columns(["row"]).sort_by("name"))
    # The same rejects, profile for profile and reason for reason.
    assert rejects.num_rows == local_rejects.num_rows > 0
    assert reasons(rejects) == reasons(local_rejects)
    local_names = [profile_ids[row - 1] for row in local_rejects["row"].to_pylist()]
    assert sorted(zip(rejects["name"].to_pylist(), rejects["message"].to_pylist())) == sorted(
        zip(local_names, local_rejects["message"].to_pylist())
    )


def test_a_policy_that_no_executor_can_read_fails_the_job_with_its_error(spark, tmp_path):
    text = (ROOT / "policies" / "avenant-7.policy").read_text(encoding="utf-8")
    moved = tmp_path / "moved.policy"
    moved.write_text(text, encoding="utf-8")
    policy = avenant.load(moved, on="2020-01-01")
    moved.unlink()
    profiles = spark.read.parquet(population(tmp_path))
    with pytest.raises(Exception, match="moved.policy"):
        avenant.spark.outcomes(profiles, policy).count()
