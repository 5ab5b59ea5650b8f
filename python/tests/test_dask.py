"""Beyond one machine: a partitioned Parquet dataset evaluated with Dask's
`map_partitions` on a local cluster of worker processes gives exactly the
outcomes of one machine."""

from __future__ import annotations

import pandas as pd
import pytest
from dask import dataframe as dd
from dask.distributed import Client, LocalCluster

from test_rejects import read_population


def outcomes_of(partition: pd.DataFrame, policy, first_rows, partition_info=None) -> pd.DataFrame:
    # Dask gives the partition's number; its first row's number in the whole is ours to give.
    return policy.evaluate(partition, first_row=first_rows[partition_info["number"]]).outcomes


def rejects_of(partition: pd.DataFrame, policy, first_rows, partition_info=None) -> pd.DataFrame:
    return policy.evaluate(partition, first_row=first_rows[partition_info["number"]]).rejects


def test_a_partitioned_dataset_on_a_cluster_gives_the_outcomes_of_one_machine(in_force_2024, tmp_path):
    population = read_population().to_pandas(types_mapper=pd.ArrowDtype)
    dd.from_pandas(population, npartitions=5).to_parquet(tmp_path / "population")
    local = in_force_2024.evaluate(population)

    with LocalCluster(n_workers=3, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            workers = client.scheduler_info()["workers"]
            assert len(workers) == 3
            dataset = dd.read_parquet(tmp_path / "population")
            assert dataset.npartitions == 5
            # Each partition's first row, numbered as in the whole population.
            lengths = dataset.map_partitions(len).compute().tolist()
            first_rows = [1 + sum(lengths[:number]) for number in range(len(lengths))]
            meta = in_force_2024.outcome_schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
            outcomes = dataset.map_partitions(outcomes_of, in_force_2024, first_rows, meta=meta).compute()
            rejects_meta = local.rejects.iloc[:0]
            rejects = dataset.map_partitions(rejects_of, in_force_2024, first_rows, meta=rejects_meta).compute()
            # The work was spread over the workers, each its own process.
            assert len({info["pid"] for info in client.run(lambda: {"pid": __import__("os").getpid()}).values()}) == 3

    assert len(outcomes) == len(local.outcomes) and len(rejects) == len(local.rejects)
    # Rows numbered as one machine numbers them: the same frames, `row` included.
    pd.testing.assert_frame_equal(outcomes.reset_index(drop=True), local.outcomes)
    pd.testing.assert_frame_equal(rejects.reset_index(drop=True), local.rejects)
