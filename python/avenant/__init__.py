"""avenant: the rules of France's medical-assistant aid, evaluated over frames.

    import avenant, pandas as pd
    policy = avenant.load("policies", on="2024-10-01")
    outcomes, rejects = policy.evaluate(pd.read_csv("population.csv", dtype=str))

A policy is loaded and checked once (:func:`load`); :meth:`Policy.evaluate`
takes a pandas or polars DataFrame or any Arrow table and gives its outcomes
as a frame of the same kind, Arrow-backed with real types (booleans,
``Decimal128`` for every amount, never a float; dates; text), one
``certainty.<output>`` column per output, and the rows it could not evaluate
as a second frame (``row``, ``field``, ``code``, ``message``, ``help``):
rows in = outcomes + rejects. The evaluation runs in Rust, on all cores, with
the GIL released. Errors are :class:`AvenantError`, carrying the CLI's code,
message and place.
"""

from __future__ import annotations

import datetime as _datetime
import decimal as _decimal
import hashlib as _hashlib
import json as _json
import os as _os
from dataclasses import dataclass as _dataclass
from typing import Any, Iterator, Mapping

import pyarrow as _pa

from ._avenant import AvenantError
from ._avenant import Policy as _RustPolicy
from ._avenant import diff as _diff
from ._avenant import error as _error
from ._avenant import load as _load

__all__ = ["AvenantError", "Diff", "Evaluation", "Policy", "diff", "load", "to_arrow"]


def _date(on: _datetime.date | str | None) -> str:
    if on is None:
        return _datetime.datetime.now(_datetime.timezone.utc).date().isoformat()
    if isinstance(on, _datetime.datetime):
        raise TypeError("`on` is a date, not a datetime")
    if isinstance(on, _datetime.date):
        return on.isoformat()
    return str(on)


def load(path: str | Any, on: _datetime.date | str | None = None, *, proposal: str | None = None) -> Policy:
    """Loads and checks a policy: a ``.policy`` file with the texts it amends,
    or a directory, whose text in force on ``on`` is taken (``proposal`` names
    a draft of the directory instead). ``on`` (a date or ``YYYY-MM-DD``,
    today by default) is the date of every evaluation. Raises
    :class:`AvenantError` with the checker's codes and places."""
    # Pickled by its absolute path: a worker elsewhere reads the same file, never one beside it.
    return Policy(_load(str(path), _date(on), proposal), _os.path.abspath(path), proposal)


def to_arrow(frame: Any) -> _pa.Table:
    """A pandas or polars DataFrame, a pyarrow Table or RecordBatch, or any
    object with ``__arrow_c_stream__``, as a pyarrow Table (no copy where
    the frame is Arrow already)."""
    if isinstance(frame, _pa.Table):
        return frame
    if isinstance(frame, _pa.RecordBatch):
        return _pa.Table.from_batches([frame])
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return _pa.Table.from_pandas(frame, preserve_index=False)
    if module == "polars":
        return frame.to_arrow()
    if hasattr(frame, "__arrow_c_stream__"):
        return _pa.table(frame)
    raise TypeError(f"cannot read a {type(frame).__name__} as a table: give a pandas or polars DataFrame, or an Arrow table")


def _like(table: _pa.Table, frame: Any) -> Any:
    """``table`` as a frame of ``frame``'s kind: Arrow-backed pandas, polars, or Arrow."""
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        import pandas as pd

        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if module == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


@_dataclass(frozen=True)
class Evaluation:
    """What :meth:`Policy.evaluate` gives: ``outcomes`` and ``rejects`` (frames
    of the input's kind) and the counts, ``rows_in == rows_out + rows_rejected``.
    Unpacks as ``outcomes, rejects``."""

    outcomes: Any
    rejects: Any
    rows_in: int
    rows_out: int
    rows_rejected: int

    def __iter__(self) -> Iterator[Any]:
        return iter((self.outcomes, self.rejects))


def _dumps(profile: Mapping[str, Any]) -> str:
    parts = []
    for key, value in profile.items():
        if isinstance(value, _decimal.Decimal):
            if not value.is_finite():
                raise ValueError(f"`{key}`: {value} is not a number avenant can read")
            text = format(value, "f")
        elif isinstance(value, (_datetime.date,)) and not isinstance(value, _datetime.datetime):
            text = _json.dumps(value.isoformat())
        else:
            text = _json.dumps(value)
        parts.append(f"{_json.dumps(str(key))}: {text}")
    return "{" + ", ".join(parts) + "}"


def _load_again(path: str, on: str, proposal: str | None, fingerprint: str | None = None) -> Policy:
    policy = load(path, on, proposal=proposal)
    if fingerprint is not None and policy._fingerprint() != fingerprint:
        raise _error(
            "avenant::chain::changed",
            f"the policy at `{path}` on {on} is not the one that was loaded and sent here: "
            "its texts have changed since, or this machine has others at that path",
            path,
            "load the policy again where it was loaded, and send it again",
        )
    return policy


class Policy:
    """A checked policy with its date of evaluation; made by :func:`load`."""

    def __init__(self, inner: _RustPolicy, path: str, proposal: str | None) -> None:
        self._inner = inner
        self._path = path
        self._proposal = proposal

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled by what loads it: a Dask or Spark worker loads and checks
        # the same text again from the same path (which it must be able to
        # read), and refuses it if its rules are not those loaded here.
        return (_load_again, (self._path, self._inner.on, self._proposal, self._fingerprint()))

    def _fingerprint(self) -> str:
        """The SHA-256 of the rules applied: the chain as one text, as ``avenant show`` prints it."""
        return _hashlib.sha256(self._inner.merged_text().encode("utf-8")).hexdigest()

    @property
    def chain(self) -> list[str]:
        """The texts applied, the base first."""
        return self._inner.chain

    @property
    def on(self) -> _datetime.date:
        """The date of every evaluation."""
        return _datetime.date.fromisoformat(self._inner.on)

    @property
    def outcome_schema(self) -> _pa.Schema:
        """The Arrow schema of :meth:`evaluate`'s outcomes."""
        return self._inner.outcome_schema()

    @property
    def rejects_schema(self) -> _pa.Schema:
        """The Arrow schema of :meth:`evaluate`'s rejected rows."""
        return self._inner.rejects_schema()

    def __repr__(self) -> str:
        return f"<avenant.Policy {' + '.join(self.chain)} on {self._inner.on}>"

    def evaluate(self, frame: Any, *, threads: int = 0, first_row: int = 1) -> Evaluation:
        """Evaluates every row of ``frame`` (one profile a row, a column per
        field, as in a population CSV file; text, integers, decimals, booleans
        and dates are read exactly, a float by its shortest digits). Gives the
        outcomes and the rejected rows as frames of ``frame``'s kind; ``row``
        numbers the input's rows from ``first_row`` (1, as the CLI does; a
        part of a population, such as a Dask partition, gives the number its
        first row has in the whole). ``threads=0`` uses every core."""
        table = to_arrow(frame)
        outcomes, rejects, (rows_in, rows_out, rows_rejected) = self._inner.evaluate_arrow(table, threads, first_row)
        return Evaluation(_like(outcomes, frame), _like(rejects, frame), rows_in, rows_out, rows_rejected)

    def evaluate_arrow(self, table: Any, *, threads: int = 0, first_row: int = 1) -> tuple[_pa.Table, _pa.Table]:
        """As :meth:`evaluate`, always in pyarrow Tables: (outcomes, rejects)."""
        outcomes, rejects, _ = self._inner.evaluate_arrow(to_arrow(table), threads, first_row)
        return outcomes, rejects

    def explain(self, profile: Mapping[str, Any], *, name: str = "profile") -> dict[str, Any]:
        """The derivation of one profile's outcome (a mapping of field to
        value; decimals as :class:`decimal.Decimal`, dates as
        :class:`datetime.date`), as the JSON of ``avenant explain --format
        json`` read into Python data, every number a :class:`decimal.Decimal`."""
        text = self._inner.explain_json(_dumps(profile), name)
        return _json.loads(text, parse_float=_decimal.Decimal)


@_dataclass(frozen=True)
class Diff:
    """What :func:`diff` gives, as ``avenant diff`` does: the ``summary`` (Python
    data: counts, moves by condition, budget by band, zone and specialty), the
    per-profile ``rows`` and the ``rejects`` (with the ``side`` that refused
    each), frames of the input's kind."""

    summary: dict[str, Any]
    rows: Any
    rejects: Any


def diff(old: Policy, new: Policy, frame: Any, *, threads: int = 0, take_up: Mapping[str, Any] | None = None) -> Diff:
    """Compares two policies over the profiles of ``frame``, as ``avenant diff
    OLD NEW --profiles FILE`` does, each evaluated on its own date; ``take_up``
    maps an option to the share of new contracts that sign it (``{"option_2":
    Decimal("0.3")}``), as ``--take-up`` does."""
    shares = [(option, str(share)) for option, share in (take_up or {}).items()]
    summary, rows, rejects = _diff(old._inner, new._inner, to_arrow(frame), threads, shares)
    data = _json.loads(summary, parse_float=_decimal.Decimal)
    return Diff(data, _like(rows, frame), _like(rejects, frame))
