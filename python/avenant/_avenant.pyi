"""Type stubs of the Rust extension; use the `avenant` package's API instead."""

from os import PathLike
from typing import Any

import pyarrow

class AvenantError(Exception):
    """An error avenant reports, as the CLI does."""

    code: str
    """Stable: `avenant::check::…`, `avenant::profile::…`, `avenant::eval::…`, `avenant::chain::…`."""
    message: str
    place: str | None
    """`file:line:column` in a policy, a field's name in a profile, or a directory."""
    help: str | None
    diagnostics: list[dict[str, Any]]
    """Every diagnostic: `code`, `message`, `place`, `help`; the first is the error's."""

class Policy:
    @property
    def chain(self) -> list[str]: ...
    @property
    def on(self) -> str: ...
    @property
    def path(self) -> str: ...
    def outcome_schema(self) -> pyarrow.Schema: ...
    def rejects_schema(self) -> pyarrow.Schema: ...
    def merged_text(self) -> str: ...
    def evaluate_arrow(
        self, table: Any, threads: int = 0, first_row: int = 1
    ) -> tuple[pyarrow.Table, pyarrow.Table, tuple[int, int, int]]: ...
    def explain_json(self, profile_json: str, name: str = "profile") -> str: ...

def load(path: str | PathLike[str], on: str, proposal: str | None = None) -> Policy: ...
def diff(
    old: Policy, new: Policy, table: Any, threads: int = 0, take_up: list[tuple[str, str]] = ...
) -> tuple[str, bytes, pyarrow.Table]: ...
