"""spark-submit entry point: ``spark-submit jobs/resample.py resample --config FILE``.

A thin wrapper over :mod:`spark_resample.jobs`; ship the library to executors
with ``--py-files dist/spark_resample-*.whl`` (or install it on the cluster).
"""

import sys

from spark_resample.jobs import main

if __name__ == "__main__":
    sys.exit(main())
