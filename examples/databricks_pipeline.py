# Databricks notebook source
# MAGIC %md
# MAGIC # From a raw imbalanced table to a tuned, resampling pipeline
# MAGIC
# MAGIC A fraud-like table with about 2 % positives, string and numeric columns.
# MAGIC The resampling stage sits *inside* a plain `pyspark.ml.Pipeline`, so in
# MAGIC every CrossValidator fold only the training part is resampled; validation
# MAGIC folds, the test set and scoring data pass through untouched.
# MAGIC
# MAGIC On Databricks: `%pip install spark-resample` (Spark comes with the cluster),
# MAGIC then run the cells. Locally: `python examples/databricks_pipeline.py`
# MAGIC (`EXAMPLE_ROWS` sets the table size, default 40 000).

# COMMAND ----------

import os

from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import OneHotEncoder, StringIndexer, VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spark_resample import (
    ClassWeighter,
    ImbalancedClassificationEvaluator,
    RandomUnderSampler,
    classification_report_imbalanced,
    stratified_folds,
    stratified_split,
)

try:  # Databricks notebooks (and tests) define `spark`; a local run starts one.
    spark  # noqa: B018
except NameError:
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("spark-resample example")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )

ROWS = int(os.environ.get("EXAMPLE_ROWS", "40000"))

# COMMAND ----------

# MAGIC %md
# MAGIC ## The raw table
# MAGIC Transactions with an amount, an hour, a merchant category (string) and
# MAGIC a fraud flag. Fraud is more likely at night, for large amounts and in
# MAGIC two categories. In a real notebook this is `spark.table("...")`.

# COMMAND ----------

CATEGORIES = ["grocery", "travel", "electronics", "fuel", "online", "restaurant"]
base = spark.range(ROWS).select(
    "id",
    (F.rand(1) * 24).cast("int").alias("hour"),
    F.exp(F.randn(2) + 3.5).alias("amount"),
    F.element_at(
        F.array(*[F.lit(c) for c in CATEGORIES]), (F.rand(3) * len(CATEGORIES)).cast("int") + 1
    ).alias("merchant_category"),
)
risk = (
    -6.6
    + F.when((F.col("hour") < 5), 1.6).otherwise(0.0)
    + F.log(F.col("amount")) * 0.45
    + F.when(F.col("merchant_category").isin("electronics", "online"), 1.2).otherwise(0.0)
)
# No .cache(): Databricks serverless compute refuses the cache APIs, and the
# table is generated the same way each time it is computed (seeded draws over
# spark.range's fixed partitions).
raw = base.withColumn("is_fraud", (F.rand(4) < 1 / (1 + F.exp(-risk))).cast("int"))
display = globals().get("display", lambda df: df.show(5))  # Databricks has display()
display(raw.groupBy("is_fraud").count().orderBy("is_fraud"))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Train/test split, features, and the pipeline
# MAGIC `stratified_split` is `randomSplit` with exact shares per class: the test
# MAGIC set holds a fifth of the fraud rows and a fifth of the others, exactly.
# MAGIC `RandomUnderSampler` keeps every fraud row and a random part of the
# MAGIC others (`exact=True`: exactly as many as the strategy asks), so the model
# MAGIC sees the classes in a balance it learns from instead of predicting "no
# MAGIC fraud" everywhere.

# COMMAND ----------

train, test = stratified_split(raw, [0.8, 0.2], labelCol="is_fraud", seed=42)

features = [
    StringIndexer(inputCol="merchant_category", outputCol="category_index"),
    OneHotEncoder(inputCols=["category_index"], outputCols=["category_vector"]),
    VectorAssembler(inputCols=["hour", "amount", "category_vector"], outputCol="features"),
]
sampler = RandomUnderSampler(labelCol="is_fraud", exact=True, seed=7)
classifier = LogisticRegression(featuresCol="features", labelCol="is_fraud", maxIter=50)
pipeline = Pipeline(stages=[*features, sampler, classifier])

# COMMAND ----------

# MAGIC %md
# MAGIC ## Tune the resampling ratio and the regularisation together
# MAGIC A float `samplingStrategy` is the wanted minority/majority ratio after
# MAGIC resampling (imbalanced-learn's meaning). CrossValidator resamples the
# MAGIC training part of each fold only and scores the untouched validation part.
# MAGIC `stratified_folds` gives every fold the same share of fraud rows (Spark's
# MAGIC own folds are random); CrossValidator takes them through `foldCol`.
# MAGIC Models are compared by balanced accuracy (the mean of the classes'
# MAGIC recalls, `ImbalancedClassificationEvaluator`): Spark's own evaluators
# MAGIC weigh classes by their size, so a model that never predicts fraud scores
# MAGIC an accuracy near 0.98 here and a weighted F1 near 0.97, but a balanced
# MAGIC accuracy of 0.5.

# COMMAND ----------

grid = (
    ParamGridBuilder()
    .addGrid(sampler.samplingStrategy, [0.25, 1.0])
    .addGrid(classifier.regParam, [0.0, 0.01])
    .build()
)
evaluator = ImbalancedClassificationEvaluator(labelCol="is_fraud")  # balanced accuracy
# parallelism: two models train at a time. Most of a small model's training is
# the driver waiting on short jobs, which two threads overlap (here a fifth faster).
cv = CrossValidator(
    estimator=pipeline,
    estimatorParamMaps=grid,
    evaluator=evaluator,
    numFolds=2,
    foldCol="fold",
    parallelism=2,
)
cv_model = cv.fit(stratified_folds(train, numFolds=2, labelCol="is_fraud", seed=7))
for params, metric in zip(grid, cv_model.avgMetrics):
    settings = ", ".join(f"{p.name}={v}" for p, v in params.items())
    print(f"  {settings}: balanced accuracy {metric:.3f}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Evaluate on the untouched test set, against two baselines
# MAGIC The fitted sampler passes the test set through: every test row is scored.
# MAGIC Baselines: no resampling, and balanced class weights instead of
# MAGIC resampling (`ClassWeighter`: the same balance, all rows kept). Beside
# MAGIC balanced accuracy, PR-AUC, which ranks by the predicted probability and
# MAGIC needs no threshold.

# COMMAND ----------

scored = cv_model.transform(test)
assert scored.count() == test.count(), "the test set must be scored whole"
no_resampling = Pipeline(
    stages=[*features, LogisticRegression(featuresCol="features", labelCol="is_fraud")]
).fit(train)
weighted = Pipeline(
    stages=[
        *features,
        ClassWeighter(labelCol="is_fraud", weightCol="weight"),
        LogisticRegression(featuresCol="features", labelCol="is_fraud", weightCol="weight"),
    ]
).fit(train)
pr_auc = BinaryClassificationEvaluator(labelCol="is_fraud", metricName="areaUnderPR")
scored_by = {
    "tuned undersampling": scored,
    "no resampling": no_resampling.transform(test),
    "balanced class weights": weighted.transform(test),
}
balanced_accuracy = {name: evaluator.evaluate(df) for name, df in scored_by.items()}
results = {name: pr_auc.evaluate(df) for name, df in scored_by.items()}
best = cv_model.bestModel.stages[len(features)]
print(f"best sampler: samplingStrategy={best.getOrDefault('samplingStrategy')}")
print(f"class counts in training before {best.classCounts_} and after {best.targetCounts_}")
for name, value in balanced_accuracy.items():
    print(f"test balanced accuracy, {name}: {value:.3f}; PR-AUC {results[name]:.3f}")
# Per class, as imbalanced-learn's report: precision, recall, specificity, ...
print(classification_report_imbalanced(scored, labelCol="is_fraud"))

# COMMAND ----------

# MAGIC %md
# MAGIC ## When the probabilities matter: under-sample and keep them calibrated
# MAGIC A model trained on balanced classes predicts fraud far more often than it
# MAGIC happens: its probabilities are those of the balanced data. Where they are
# MAGIC used as they are (expected losses, a score shared with other teams), give
# MAGIC the sampler a `weightCol`: kept majority rows weigh the inverse of the
# MAGIC kept fraction, each class keeps its weight sum, and the model trained on
# MAGIC a fraction of the rows predicts the original fraud rate again. Pick the
# MAGIC decision threshold on the probabilities then (it is no longer 0.5).

# COMMAND ----------

calibrated = Pipeline(
    stages=[
        *features,
        RandomUnderSampler(labelCol="is_fraud", exact=True, seed=7, weightCol="weight"),
        LogisticRegression(featuresCol="features", labelCol="is_fraud", weightCol="weight"),
    ]
).fit(train)
fraud_probability = vector_to_array("probability")[1]
compared = {"tuned undersampling": scored, "with weightCol": calibrated.transform(test)}
mean_probability = {
    name: df.agg(F.avg(fraud_probability)).first()[0] for name, df in compared.items()
}
fraud_rate = test.agg(F.avg("is_fraud")).first()[0]
print(f"fraud rate in the test set: {fraud_rate:.4f}")
for name, value in mean_probability.items():
    print(f"mean predicted fraud probability, {name}: {value:.4f}")
