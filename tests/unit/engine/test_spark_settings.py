"""Local Spark gets a share of the machine's memory unless told otherwise; a cluster master is left alone."""

from __future__ import annotations

from typing import Any

import pytest

from molehunt.engine.spark import local_driver_memory

GIB = 2**30


def test_a_local_master_gets_a_share_of_the_machine() -> None:
    assert local_driver_memory("local[2]", {}, physical_bytes=24 * GIB) == {"spark.driver.memory": "9g"}
    assert local_driver_memory("local[*]", {}, physical_bytes=2 * GIB) == {"spark.driver.memory": "1g"}  # at least


def test_a_given_driver_memory_or_a_cluster_master_is_left_alone() -> None:
    assert local_driver_memory("local[2]", {"spark.driver.memory": "2g"}, physical_bytes=24 * GIB) == {}
    assert local_driver_memory("spark://head:7077", {}, physical_bytes=24 * GIB) == {}
    assert local_driver_memory("yarn", {}, physical_bytes=24 * GIB) == {}


@pytest.mark.spark
def test_the_started_local_session_has_it(spark_engine: Any) -> None:
    wanted = local_driver_memory("local[2]", {})["spark.driver.memory"]
    assert spark_engine.spark.sparkContext.getConf().get("spark.driver.memory") == wanted
