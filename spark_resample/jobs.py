"""Command-line jobs: ``resample`` a table, or ``generate`` an imbalanced one.

Runs as ``spark-submit jobs/resample.py ...``, ``python -m spark_resample.jobs
...`` or the ``spark-resample`` console script. Settings come from a JSON file
under ``conf/`` (``--config``) and from the command line, which wins.

Output is all-or-nothing: the table is written to a staging directory beside
the destination and moved into place only after the write succeeded, so a
failed or killed job leaves no partial output at the destination.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any, Dict, List, Optional
from urllib.parse import urlparse

EXIT_FAILED = 1
EXIT_USAGE = 2


class JobError(Exception):
    """A failure explained in one line to the user."""


def _parse_value(text: str) -> Any:
    """``key=value`` values are JSON when they parse as JSON, else strings."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spark-resample", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("resample", help="resample a parquet or CSV table into parquet")
    run.add_argument("--config", help="JSON file with sampler, params, input, output")
    run.add_argument("--input", help="input path (parquet directory/file or CSV)")
    run.add_argument(
        "--format",
        choices=["parquet", "csv"],
        help="input format (default: by extension, else parquet)",
    )
    run.add_argument("--output", help="output parquet directory")
    run.add_argument("--sampler", help="stage name, e.g. RandomUnderSampler, SMOTE, ClassWeighter")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="sampler param (JSON value), repeatable, e.g. --param exact=true",
    )
    run.add_argument("--seed", type=int, help="shorthand for --param seed=N")
    run.add_argument("--label-col", help="shorthand for --param labelCol=NAME")
    run.add_argument("--summary", help="also write the JSON summary to this local path")
    run.add_argument("--overwrite", action="store_true", help="replace an existing output")
    run.add_argument(
        "--master", help="Spark master when not run by spark-submit (default local[*])"
    )

    gen = sub.add_parser("generate", help="write a generated imbalanced table as parquet")
    gen.add_argument("--output", required=True)
    gen.add_argument("--rows", type=int, default=200_000)
    gen.add_argument("--features", type=int, default=20)
    gen.add_argument("--minority-fraction", type=float, default=0.01)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--partitions", type=int, default=None)
    gen.add_argument("--overwrite", action="store_true")
    gen.add_argument(
        "--master", help="Spark master when not run by spark-submit (default local[*])"
    )
    return parser


def load_settings(args: argparse.Namespace) -> Dict[str, Any]:
    """Merge the config file and the command line (which wins) into one dict."""
    settings: Dict[str, Any] = {"params": {}, "input": {}, "output": {}}
    if args.config:
        try:
            with open(args.config) as handle:
                loaded = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise JobError(f"cannot read config {args.config}: {error}") from error
        for key, value in loaded.items():
            if isinstance(value, dict):
                settings.setdefault(key, {}).update(value)
            else:
                settings[key] = value
    if args.sampler:
        settings["sampler"] = args.sampler
    if args.input:
        settings["input"]["path"] = args.input
    if args.format:
        settings["input"]["format"] = args.format
    if args.output:
        settings["output"]["path"] = args.output
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep:
            raise JobError(f"--param {item!r} must look like KEY=VALUE")
        settings["params"][key] = _parse_value(value)
    if args.seed is not None:
        settings["params"]["seed"] = args.seed
    if args.label_col:
        settings["params"]["labelCol"] = args.label_col
    for required, where in (("sampler", "--sampler"), ("input", "--input"), ("output", "--output")):
        value = settings.get(required)
        if not value or (isinstance(value, dict) and not value.get("path")):
            raise JobError(f"no {required} given: use {where} or the config file")
    return settings


def make_stage(name: str, params: Dict[str, Any]):
    from pyspark.ml import Estimator

    import spark_resample

    stage_class = getattr(spark_resample, name, None)
    if not (isinstance(stage_class, type) and issubclass(stage_class, Estimator)):
        known = sorted(
            n
            for n in spark_resample.__all__
            if isinstance(getattr(spark_resample, n), type)
            and issubclass(getattr(spark_resample, n), Estimator)
            and not n.startswith("Sampler")
        )
        raise JobError(f"unknown sampler {name!r}; use one of {', '.join(known)}")
    stage = stage_class()
    for key, value in params.items():
        if not stage.hasParam(key):
            raise JobError(
                f"{name} has no param {key!r}; its params: "
                f"{', '.join(p.name for p in stage.params)}"
            )
        stage.set(stage.getParam(key), value)
    return stage


def _filesystem(path: str):
    """pyarrow filesystem and in-filesystem path for a local path or URI (hdfs, s3, gs, ...)."""
    from pyarrow import fs

    if not urlparse(path).scheme:
        return fs.LocalFileSystem(), os.path.abspath(path)
    return fs.FileSystem.from_uri(path)


def _exists(filesystem, path: str) -> bool:
    from pyarrow import fs

    return filesystem.get_file_info(path).type != fs.FileType.NotFound


def _spark_path(path: str) -> str:
    return os.path.abspath(path) if not urlparse(path).scheme else path


_STAGING, _REPLACED = ".staging-", ".replaced-"


def leftovers(filesystem, target: str) -> List[str]:
    """The names of what interrupted runs may have left beside ``target``:
    staging directories (killed while writing, or before moving one into
    place) and outputs being replaced (killed between the two moves)."""
    from pyarrow import fs

    parent, name = os.path.split(target.rstrip("/"))
    try:
        listed = filesystem.get_file_info(fs.FileSelector(parent))
    except OSError:  # no parent yet, or not listable: nothing to say, no reason to fail
        return []
    return sorted(
        info.base_name
        for info in listed
        if info.base_name.startswith((name + _STAGING, name + _REPLACED))
    )


def write_atomically(df, destination: str, overwrite: bool) -> None:
    """Write ``df`` as parquet to a staging directory beside ``destination``,
    then move it into place: the destination holds the whole output or nothing."""
    filesystem, target = _filesystem(destination)
    if _exists(filesystem, target) and not overwrite:
        raise JobError(f"output {destination} exists; pass --overwrite to replace it")
    # Not deleted here: another run may be writing to one of them. Said, so
    # that they do not pile up unseen after killed runs.
    found = leftovers(filesystem, target)
    if found:
        print(
            f"spark-resample: note: {', '.join(found)} beside the output may be left by "
            "an interrupted run; delete them once no other run writes to this output",
            file=sys.stderr,
        )
    token = uuid.uuid4().hex[:12]
    staging = f"{_spark_path(destination).rstrip('/')}{_STAGING}{token}"
    _, staging_fs_path = _filesystem(staging)
    try:
        df.write.mode("errorifexists").parquet(staging)
        if _exists(filesystem, target):
            retired = f"{target.rstrip('/')}{_REPLACED}{token}"
            filesystem.move(target, retired)
            filesystem.move(staging_fs_path, target)
            filesystem.delete_dir(retired)
        else:
            filesystem.move(staging_fs_path, target)
    finally:
        if _exists(filesystem, staging_fs_path):
            filesystem.delete_dir(staging_fs_path)


def _session(master: Optional[str], app: str):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    # spark-submit sets the master itself; run as a plain Python program,
    # PySpark defaults to local[*].
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def _read(spark, source: Dict[str, Any]):
    path = source["path"]
    fmt = source.get("format") or ("csv" if path.rstrip("/").endswith(".csv") else "parquet")
    reader = spark.read
    if fmt == "csv":
        reader = reader.option("header", source.get("header", True)).option(
            "inferSchema", source.get("inferSchema", True)
        )
    try:
        return reader.format(fmt).load(_spark_path(path))
    except Exception as error:  # AnalysisException on a missing path, both classic and Connect
        raise JobError(f"cannot read input {path}: {str(error).splitlines()[0]}") from error


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def run_resample(args: argparse.Namespace) -> Dict[str, Any]:
    settings = load_settings(args)
    started = time.time()
    spark = _session(args.master, f"spark-resample {settings['sampler']}")
    stage = make_stage(settings["sampler"], settings["params"])
    df = _read(spark, settings["input"])
    model = stage.fit(df)
    output = model.transform(df)
    overwrite = bool(args.overwrite or settings["output"].get("overwrite", False))
    write_atomically(output, settings["output"]["path"], overwrite)

    label_col = stage.getLabelCol()
    written = spark.read.parquet(_spark_path(settings["output"]["path"]))
    after = {row[0]: row[1] for row in written.groupBy(label_col).count().collect()}
    before = getattr(model, "classCounts_", None)
    if before is None:
        before = {row[0]: row[1] for row in df.groupBy(label_col).count().collect()}
    summary = {
        "sampler": settings["sampler"],
        "params": {p.name: _json_safe(v) for p, v in stage.extractParamMap().items()},
        "seed": stage.getOrDefault("seed") if stage.hasParam("seed") else None,
        "input": settings["input"]["path"],
        "output": settings["output"]["path"],
        "class_counts_before": _json_safe(dict(sorted(before.items(), key=lambda kv: str(kv[0])))),
        "class_counts_after": _json_safe(dict(sorted(after.items(), key=lambda kv: str(kv[0])))),
        "rows_before": int(sum(before.values())),
        "rows_after": int(sum(after.values())),
        "elapsed_seconds": round(time.time() - started, 3),
    }
    text = json.dumps(summary, indent=2, sort_keys=False)
    print(text)
    if args.summary:
        with open(args.summary, "w") as handle:
            handle.write(text + "\n")
    return summary


def run_generate(args: argparse.Namespace) -> None:
    from .datasets import make_imbalanced

    spark = _session(args.master, "spark-resample generate")
    df = make_imbalanced(
        spark,
        n_rows=args.rows,
        n_features=args.features,
        class_fractions=(1 - args.minority_fraction, args.minority_fraction),
        seed=args.seed,
        num_partitions=args.partitions,
    )
    write_atomically(df, args.output, args.overwrite)
    print(f"wrote {args.rows} rows to {args.output}")


def _first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else ""


_TRACEBACK = "Traceback (most recent call last):"


def _python_cause(text: str) -> str:
    """The exception line that ends the last Python traceback in ``text`` (a
    failure in a Python worker), or "" when there is none."""
    if _TRACEBACK not in text:
        return ""
    lines = [
        line
        for line in text.rsplit(_TRACEBACK, 1)[1].splitlines()
        if line.strip() and not line[0].isspace() and not line.startswith("SQLSTATE")
    ]
    return lines[-1] if lines else ""


def _with_cause(line: str, cause: str) -> str:
    return f"{line} (root cause: {cause})" if cause and cause not in line else line


def one_line_reason(error: BaseException) -> str:
    """One line saying why a Spark job failed.

    A Py4JJavaError's own first line only names the JVM call that failed
    ("An error occurred while calling o46.parquet."). The Java exception says
    what failed (for a task failure it already names the task and the file) and
    its root cause says why, so the line is both, from the Java cause chain.
    """
    java = getattr(error, "java_exception", None)
    if java is None:  # for a Python worker's failure, its exception line says why
        line = f"{type(error).__name__}: {_first_line(str(error)) or '(no message)'}"
        return _with_cause(line, _python_cause(str(error)))
    try:
        chain: List[str] = []
        root = ""
        throwable = java
        while throwable is not None and len(chain) < 20:
            root = str(throwable.toString())
            line = _first_line(root)
            if line and line not in chain:
                chain.append(line)
            throwable = throwable.getCause()
    except Exception:  # the JVM is gone: say what Python saw
        return f"{type(error).__name__}: {_first_line(str(error))}"
    if not chain:
        return type(error).__name__
    cause = _python_cause(root) or (chain[-1] if len(chain) > 1 else "")
    return _with_cause(chain[0], cause)


def _stop_session_started_here(caller_session) -> None:
    """Stop the session this run started, if any (not one the caller passed in
    by running the job in its own process, as the tests do).

    A failed job's cancelled tasks wind down after the failure reaches the
    driver, and the JVM logs them to the same stderr; stopping the session
    waits for them, so the one-line reason printed afterwards is the last line.
    """
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None or session is caller_session:
        return
    try:
        session.stop()
    except Exception:  # the JVM is already gone; nothing left to stop
        pass


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help(sys.stderr)
        return EXIT_USAGE
    from pyspark.sql import SparkSession

    caller_session = SparkSession.getActiveSession()
    reason: Optional[str] = None
    try:
        if args.command == "generate":
            run_generate(args)
        else:
            run_resample(args)
    except (JobError, ValueError, TypeError) as error:
        reason = str(error)
    except Exception as error:  # a Spark job failure: one line, the full trace is in the log
        reason = one_line_reason(error)  # asks the JVM, so before the stop
    _stop_session_started_here(caller_session)
    if reason is not None:
        print(f"spark-resample: error: {reason}", file=sys.stderr)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
