"""The resample job: config and command line, summary, all-or-nothing output.

That the job gives the same output in another process and session is shown
for every stage by the standalone cluster's spark-submit tests
(tests/test_cluster.py)."""

import json
from pathlib import Path

import pytest
from chispa import assert_df_equality

from spark_resample import RandomUnderSampler
from spark_resample.jobs import main

from .helpers import class_counts, labelled

pytestmark = pytest.mark.classic_only  # the job builds its own classic session
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def table(spark, tmp_path_factory):
    path = tmp_path_factory.mktemp("job") / "input"
    labelled(spark, {0: 800, 1: 40}).write.parquet(str(path))
    return path


def test_resample_with_config_and_overrides(spark, table, tmp_path, capsys):
    out = tmp_path / "out"
    summary_path = tmp_path / "summary.json"
    code = main(
        [
            "resample",
            "--config",
            str(ROOT / "conf" / "undersample.json"),
            "--input",
            str(table),
            "--output",
            str(out),
            "--summary",
            str(summary_path),
            "--param",
            "samplingStrategy=0.5",
            "--seed",
            "9",
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(summary_path.read_text())
    assert printed["sampler"] == "RandomUnderSampler"
    assert printed["class_counts_before"] == {"0": 800, "1": 40}
    assert printed["class_counts_after"] == {"0": 80, "1": 40}
    assert printed["seed"] == 9 and printed["params"]["exact"] is True
    assert printed["rows_after"] == 120 and printed["elapsed_seconds"] > 0
    expected = RandomUnderSampler(
        samplingStrategy=0.5, exact=True, weightCol="weight", seed=9
    ).resample(spark.read.parquet(str(table)))
    assert_df_equality(
        spark.read.parquet(str(out)), expected, ignore_row_order=True, ignore_nullable=True
    )


def test_csv_input_and_command_line_only(spark, table, tmp_path, capsys):
    csv = tmp_path / "in.csv"
    spark.read.parquet(str(table)).coalesce(1).write.option("header", True).csv(str(csv))
    out = tmp_path / "out"
    code = main(
        [
            "resample",
            "--sampler",
            "RandomOverSampler",
            "--input",
            str(csv),
            "--format",
            "csv",
            "--output",
            str(out),
            "--param",
            "exact=true",
        ]
    )
    assert code == 0
    assert class_counts(spark.read.parquet(str(out))) == {0: 800, 1: 800}


def test_existing_output_is_kept_without_overwrite(table, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code = main(
        ["resample", "--sampler", "RandomUnderSampler", "--input", str(table), "--output", str(out)]
    )
    assert code == 1
    assert "exists" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (
        main(
            [
                "resample",
                "--sampler",
                "RandomUnderSampler",
                "--input",
                str(table),
                "--output",
                str(out),
                "--overwrite",
            ]
        )
        == 0
    )
    assert not (out / "keep.txt").exists()
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name or ".replaced-" in p.name]


@pytest.mark.parametrize(
    "args,words",
    [
        (["--sampler", "Nope"], ["unknown sampler 'Nope'", "RandomUnderSampler"]),
        (["--sampler", "RandomUnderSampler", "--param", "speed=3"], ["no param 'speed'"]),
        (["--sampler", "RandomUnderSampler", "--param", "samplingStrategy=7.0"], ["(0, 1]"]),
        (["--sampler", "RandomUnderSampler", "--label-col", "y"], ["labelCol 'y'"]),
        (["--sampler", "RandomUnderSampler", "--param", "novalue"], ["KEY=VALUE"]),
    ],
)
def test_bad_settings_fail_with_one_line(table, tmp_path, capsys, args, words):
    out = tmp_path / "out"
    code = main(["resample", "--input", str(table), "--output", str(out)] + args)
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("spark-resample: error:") and err.count("\n") == 1
    for word in words:
        assert word in err
    assert not out.exists()


def test_missing_input_fails_cleanly(tmp_path, capsys):
    code = main(
        [
            "resample",
            "--sampler",
            "RandomUnderSampler",
            "--input",
            str(tmp_path / "absent"),
            "--output",
            str(tmp_path / "out"),
        ]
    )
    assert code == 1
    assert "cannot read input" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_generate_writes_a_deterministic_table(spark, tmp_path, capsys):
    assert (
        main(
            [
                "generate",
                "--output",
                str(tmp_path / "g"),
                "--rows",
                "5000",
                "--features",
                "3",
                "--partitions",
                "3",
            ]
        )
        == 0
    )
    df = spark.read.parquet(str(tmp_path / "g"))
    assert df.columns == ["id", "label", "f0", "f1", "f2"]
    assert df.count() == 5000
    from spark_resample.datasets import make_imbalanced

    again = make_imbalanced(spark, n_rows=5000, n_features=3, num_partitions=1)
    assert_df_equality(df, again, ignore_row_order=True, ignore_nullable=True)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A table as ``jobs generate`` writes it (what scripts/demo.sh resamples)."""
    path = tmp_path_factory.mktemp("generated") / "table"
    args = ["generate", "--output", str(path), "--rows", "4000", "--minority-fraction", "0.05"]
    assert main(args) == 0
    return path


@pytest.mark.parametrize("config", sorted((ROOT / "conf").glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_config_resamples_a_generated_table(spark, generated, config, tmp_path):
    """The configurations under conf/ are templates users start from: each
    runs as it is on the generated table and gives what its stage gives."""
    import spark_resample

    settings = json.loads(config.read_text())
    out = tmp_path / "out"
    args = ["resample", "--config", str(config), "--input", str(generated), "--output", str(out)]
    assert main(args + ["--summary", str(tmp_path / "summary.json")]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["sampler"] == settings["sampler"]
    assert summary["params"].items() >= settings["params"].items()
    df = spark.read.parquet(str(generated))
    stage = getattr(spark_resample, settings["sampler"])(**settings["params"])
    assert_df_equality(
        spark.read.parquet(str(out)),
        stage.fit(df).transform(df),
        ignore_row_order=True,
        ignore_nullable=True,
    )
