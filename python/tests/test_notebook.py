"""The example notebook runs from top to bottom and draws the change by band."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def test_the_notebook_runs_and_plots_the_change_by_band():
    notebook = nbformat.read(ROOT / "examples" / "population-by-band.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    table = next(
        output["data"]["text/plain"]
        for cell in notebook.cells
        if "by_band[\"change\"] =" in cell.source
        for output in cell.outputs
        if "data" in output
    )
    assert "p50_p70" in table or "up_to" in table, table
    assert any("image/png" in output.get("data", {}) for output in outputs), "a figure is drawn"
