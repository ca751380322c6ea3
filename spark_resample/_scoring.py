"""Whether a sampler model's transform is a fitted Pipeline's scoring.

The model resamples only the DataFrame it was fitted on (``_base``). That
object can come back at scoring time: with the sampler as a Pipeline's first
stage, ``pipeline.fit(train).transform(train)`` hands the sampler ``train``
itself, and without this check the training-set predictions came out for the
resampled rows only (315 of 3,000 rows, measured). imbalanced-learn's Pipeline
never resamples in predict or transform, so neither does a PipelineModel here.

A PipelineModel's transform is also how ``Pipeline.fit`` runs a nested,
already fitted Pipeline's stages over the training data, where the sampler must
resample: only a PipelineModel transform outside any Pipeline fit is scoring.
The frames are told apart by their code objects, not by names; should PySpark
rename these methods, the check finds nothing and the DataFrame identity alone
decides, as before.
"""

from __future__ import annotations

import inspect
from types import CodeType, FrameType
from typing import Optional

from pyspark.ml.pipeline import Pipeline, PipelineModel


def _code(cls: type, name: str) -> Optional[CodeType]:
    method = getattr(cls, name, None)
    return getattr(method, "__code__", None)


_PIPELINE_FIT = _code(Pipeline, "_fit")
_PIPELINE_MODEL_TRANSFORM = _code(PipelineModel, "_transform")


def in_pipeline_scoring() -> bool:
    """True when the caller runs inside ``PipelineModel.transform`` and not
    inside ``Pipeline.fit``, on this thread."""
    if _PIPELINE_MODEL_TRANSFORM is None:
        return False
    frame: Optional[FrameType] = inspect.currentframe()
    scoring = False
    while frame is not None:
        code = frame.f_code
        if code is _PIPELINE_FIT:
            return False
        if code is _PIPELINE_MODEL_TRANSFORM:
            scoring = True
        frame = frame.f_back
    return scoring
