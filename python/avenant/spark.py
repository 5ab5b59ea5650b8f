"""avenant inside PySpark: the profiles of a Spark DataFrame evaluated on
Spark's executors with ``mapInArrow``, a batch of Arrow columns at a time,
by the compiled evaluator. Nothing goes through pandas: each batch Spark
hands over is read as :meth:`avenant.Policy.evaluate_arrow` reads a table.

    import avenant, avenant.spark
    policy = avenant.load("/shared/policies", on="2024-10-01")
    profiles = spark.read.parquet("/shared/population/")
    outcomes = avenant.spark.outcomes(profiles, policy)
    rejects = avenant.spark.rejects(profiles, policy)

Every executor must be able to import avenant and read the policy's path:
each task loads and checks the text again, once. A task evaluates on one
thread, Spark running a task per core.

Spark has no unsigned integers: ``row`` is a ``long``. A batch does not know
where it stands in the DataFrame, so ``row`` numbers each batch's rows from
1: match outcomes to profiles by ``name``, which the rejected rows carry too
(the frame's ``name`` or ``id`` column, as the outcomes take it).
"""

from __future__ import annotations

from typing import Any, Iterator

import pyarrow as _pa
import pyarrow.compute as _pc

from . import Policy


def outcomes(frame: Any, policy: Policy) -> Any:
    """A Spark DataFrame of the outcomes of every profile of ``frame`` that
    ``policy`` evaluates, with the columns of ``policy.outcome_schema``."""
    return _evaluated(frame, policy, 0, policy.outcome_schema)


def rejects(frame: Any, policy: Policy) -> Any:
    """A Spark DataFrame of the rows of ``frame`` that ``policy`` rejects,
    with the columns of ``policy.rejects_schema`` and, after ``row``, the
    ``name`` of the profile where ``frame`` names its rows: ``outcomes`` has
    every other row."""
    return _evaluated(frame, policy, 1, policy.rejects_schema)


def _evaluated(frame: Any, policy: Policy, part: int, schema: _pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    # The column that names a frame's rows, as the engine finds it: the first `name` or `id`.
    named_by = next((column for column in frame.columns if column in ("name", "id")), None) if part == 1 else None
    if named_by is not None:
        schema = schema.insert(1, _pa.field("name", _pa.string()))
    signed = _signed(schema)

    def evaluate(batches: Iterator[_pa.RecordBatch]) -> Iterator[_pa.RecordBatch]:
        for batch in batches:
            table = policy.evaluate_arrow(_pa.Table.from_batches([batch]), threads=1)[part]
            if named_by is not None:
                # `row` is the rejected row's place in this batch, from 1.
                positions = _pc.subtract(table["row"], _pa.scalar(1, _pa.uint64()))
                table = table.add_column(1, "name", _pc.take(batch[named_by].cast(_pa.string()), positions))
            yield from table.cast(signed).to_batches()

    return frame.mapInArrow(evaluate, schema=from_arrow_schema(signed))


def _signed(schema: _pa.Schema) -> _pa.Schema:
    """``schema`` with its unsigned 64-bit integers as signed ones, which Spark has."""
    fields = [field.with_type(_pa.int64()) if field.type == _pa.uint64() else field for field in schema]
    return _pa.schema(fields, metadata=schema.metadata)
