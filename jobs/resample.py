"""spark-submit entry point: ``spark-submit jobs/resample.py resample --config FILE``.

A thin wrapper over :mod:`spark_resample.jobs`. Install the library on the
cluster, or ship the wheel renamed ``.zip`` with ``--py-files`` (PySpark puts
only .zip/.egg/.jar py-files on the executors' path; docs/compatibility.md).
"""

import sys

from spark_resample.jobs import main

if __name__ == "__main__":
    sys.exit(main())
