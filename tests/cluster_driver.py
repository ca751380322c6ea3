"""A notebook-style driver for the standalone cluster test (not a test module).

Run by tests/test_cluster.py with a Python that does NOT have spark_resample
installed (tests/packaging.py ``bare_venv``), the way a user without the
package on the cluster ships it: the built wheel (as a ``.zip``) goes on the
driver's ``sys.path`` and to the executors with ``SparkContext.addPyFile``.

    python tests/cluster_driver.py SPEC.json

SPEC holds ``master``, ``pyfile``, ``input`` (parquet), ``output`` (a folder),
``executor_java_options`` and ``stages`` ({stage name: params}). For each
stage the driver fits and transforms the input and writes the result to
``output/<stage>``; it prints one JSON line saying where spark_resample was
imported from on the driver and on the executors.
"""

import json
import sys


def main(spec_path: str) -> None:
    with open(spec_path) as handle:
        spec = json.load(handle)
    sys.path.insert(0, spec["pyfile"])
    from pyspark.sql import SparkSession

    import spark_resample

    spark = (
        SparkSession.builder.master(spec["master"])
        .appName("spark-resample cluster driver")
        .config("spark.ui.enabled", "false")
        .config("spark.executor.memory", "768m")
        .config("spark.executor.extraJavaOptions", spec["executor_java_options"])
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.addPyFile(spec["pyfile"])

    def where_imported(_):
        import spark_resample as shipped

        yield shipped.__file__

    executor_files = sorted(
        set(spark.sparkContext.parallelize(range(4), 4).mapPartitions(where_imported).collect())
    )
    df = spark.read.parquet(spec["input"])
    for name, params in spec["stages"].items():
        stage = getattr(spark_resample, name)(**params)
        out = stage.fit(df).transform(df)
        out.write.parquet(f"{spec['output']}/{name}")
    print(json.dumps({"driver": spark_resample.__file__, "executors": executor_files}))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
