"""DefaultParams persistence that also overwrites over Spark Connect.

pyspark's ``DefaultParamsWriter.overwrite()`` removes the old path through the
classic session's JVM handle, which a Connect session does not have (PySpark
4.x raises JVM_ATTRIBUTE_NOT_SUPPORTED). pyspark's own ``_remove_dfs_dir``
dispatches to the Connect ML helper when remote, so the writer uses it.
"""

from __future__ import annotations

from pyspark.ml.util import (
    DefaultParamsReadable,
    DefaultParamsWritable,
    DefaultParamsWriter,
    MLWriter,
)

try:  # PySpark >= 4.0
    from pyspark.ml.util import _remove_dfs_dir
except ImportError:  # PySpark 3.5 has no ML over Connect; the classic path is all there is
    _remove_dfs_dir = None


class _Writer(DefaultParamsWriter):
    def _handleOverwrite(self, path: str) -> None:
        from pyspark.sql.utils import is_remote

        if _remove_dfs_dir is not None and is_remote():
            _remove_dfs_dir(path, self.sparkSession)
        else:
            super()._handleOverwrite(path)


class Persistable(DefaultParamsReadable, DefaultParamsWritable):
    """Save and load with ``DefaultParams`` metadata, in classic and Connect sessions."""

    def write(self) -> MLWriter:
        return _Writer(self)
