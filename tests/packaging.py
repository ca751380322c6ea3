"""Build the wheel and make Python environments that do not have spark_resample.

Used by the wheel test and the standalone cluster test (not a test module).

- :func:`build_wheel` runs ``python -m build --wheel`` once per pytest process,
  on a copy of the project's sources in a temporary directory: building in the
  checkout would reuse ``build/lib``, where a module deleted from the sources
  lingers and would end up in the wheel. The build backend is installed in
  build's isolated environment from the configured (local) package index.
- :func:`bare_venv` makes a virtual environment whose Python sees the main
  environment's site-packages (pyspark, numpy, pandas, pyarrow, scikit-learn)
  through a ``.pth`` line, but NOT spark_resample: the editable install is
  itself a ``.pth`` file with an import hook, and ``.pth`` files in a directory
  added by a ``.pth`` line are not processed. So ``import spark_resample`` fails
  there unless the package is installed or shipped (``--py-files``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, Optional

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "spark_resample"
# What the wheel is built from; everything else in the checkout stays out.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "setup.cfg", PACKAGE)

_cache: Dict[str, Path] = {}


def _scratch() -> Path:
    if "scratch" not in _cache:
        _cache["scratch"] = Path(tempfile.mkdtemp(prefix="spark-resample-packaging-"))
    return _cache["scratch"]


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment for a subprocess that must not find the checkout's package:
    no PYTHONPATH, no virtualenv variables, PATH without the main venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    main_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != main_bin)
    env.update(extra)
    return env


def build_wheel() -> Path:
    """Build the wheel once per process; returns its path."""
    if "wheel" in _cache:
        return _cache["wheel"]
    source = _scratch() / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, source / name)
    outdir = _scratch() / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"python -m build failed:\n{result.stdout[-3000:]}\n{result.stderr}")
    (wheel,) = outdir.glob("spark_resample-*.whl")
    _cache["wheel"] = wheel
    return wheel


def wheel_as_zip(wheel: Optional[Path] = None) -> Path:
    """The wheel under a ``.zip`` name, for ``--py-files`` / ``spark.submit.pyFiles``.

    A pure-Python wheel is a zip with the package at its root, so Python imports
    from it directly; but PySpark puts only ``.zip``, ``.egg`` and ``.jar`` files
    on the executors' Python path (``SparkContext.PACKAGE_EXTENSIONS``), not ``.whl``.
    """
    wheel = wheel or build_wheel()
    target = _scratch() / "pyfiles" / (wheel.stem + ".zip")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(wheel, target)
        with zipfile.ZipFile(target) as archive:
            assert f"{PACKAGE}/__init__.py" in archive.namelist()
    return target


def bare_venv(name: str = "bare") -> Path:
    """A virtualenv (once per process and name) that imports everything from the
    main environment except spark_resample. Returns its python executable."""
    key = f"venv:{name}"
    if key in _cache:
        return _cache[key]
    home = _scratch() / name
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(home)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    python = home / "bin" / "python"
    site = site_packages(python)
    main_site = sysconfig.get_paths()["purelib"]
    Path(site, "_main_environment.pth").write_text(main_site + "\n")
    check = subprocess.run(
        [
            str(python),
            "-c",
            "import pyspark, pyarrow, pandas, numpy, sklearn; import spark_resample",
        ],
        capture_output=True,
        text=True,
        cwd=str(_scratch()),
        env=clean_env(),
    )
    if "No module named 'spark_resample'" not in check.stderr:
        raise RuntimeError(f"the bare venv is not bare as intended: {check.stderr or 'imported'}")
    _cache[key] = python
    return python


def site_packages(python: Path) -> str:
    """Where packages installed for ``python`` go."""
    return subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def pip_install(python: Path, *args: str) -> None:
    """``pip install`` into the venv of ``python`` (pip's ``--python`` option: the
    bare venv has no pip of its own)."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    if result.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
