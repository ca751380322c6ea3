"""spark-resample: resampling for imbalanced classification at Spark scale.

Every sampler is a Spark ML Estimator whose fitted model resamples only the
DataFrame it was fitted on, so samplers are safe inside a plain ``Pipeline``
and ``CrossValidator``: the next stage trains on resampled data while scoring
and validation data pass through untouched. ``sampler.resample(df)`` resamples
directly.
"""

from ._base import Sampler, SamplerModel
from ._evaluation import ImbalancedClassificationEvaluator
from ._over import RandomOverSampler, RandomOverSamplerModel
from ._params import DEFAULT_SEED
from ._report import classification_report_imbalanced
from ._smote import SMOTE, SMOTEModel
from ._smote_variants import (
    ADASYN,
    SMOTENC,
    ADASYNModel,
    BorderlineSMOTE,
    BorderlineSMOTEModel,
    SMOTENCModel,
)
from ._smoten import SMOTEN, SMOTENModel
from ._split import stratified_folds, stratified_split
from ._strategy import resolve_targets
from ._under import RandomUnderSampler, RandomUnderSamplerModel
from ._weights import ClassWeighter, ClassWeighterModel

__version__ = "0.1.0"

__all__ = [
    "ADASYN",
    "ADASYNModel",
    "BorderlineSMOTE",
    "BorderlineSMOTEModel",
    "DEFAULT_SEED",
    "ClassWeighter",
    "ClassWeighterModel",
    "ImbalancedClassificationEvaluator",
    "RandomOverSampler",
    "RandomOverSamplerModel",
    "RandomUnderSampler",
    "RandomUnderSamplerModel",
    "Sampler",
    "SamplerModel",
    "SMOTE",
    "SMOTEModel",
    "SMOTENC",
    "SMOTENCModel",
    "SMOTEN",
    "SMOTENModel",
    "classification_report_imbalanced",
    "resolve_targets",
    "stratified_folds",
    "stratified_split",
]
