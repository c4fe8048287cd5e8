"""The shared layer's build (layers/shared/Makefile) ships trusted bytecode.

`sam build` runs the Makefile's `build-SharedLayer` target in a scratch copy of
layers/shared; so does this test, with the layer's own package and an empty
requirements file (the dependencies' wheels are the package registry's, and
`tests/benchmarks/bench_package_size.py` builds the real layer).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LAYER_SOURCE = Path(__file__).resolve().parents[2] / "layers" / "shared"
# PEP 552: bit 0 = hash-based bytecode, bit 1 = check the source's hash.
UNCHECKED_HASH_FLAGS = 0b01

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture(scope="module")
def built_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scratch = tmp_path_factory.mktemp("scratch")
    artifacts = tmp_path_factory.mktemp("artifacts")
    shutil.copy(LAYER_SOURCE / "Makefile", scratch)
    shutil.copytree(LAYER_SOURCE / "talentsync", scratch / "talentsync")
    (scratch / "requirements.txt").write_text("# none: the package alone\n")
    subprocess.run(
        ["make", "build-SharedLayer", f"PYTHON={sys.executable}"],
        cwd=scratch,
        env=dict(os.environ, ARTIFACTS_DIR=str(artifacts)),
        check=True,
        capture_output=True,
    )
    return artifacts / "python"


def test_every_module_of_the_package_has_unchecked_bytecode(built_layer: Path) -> None:
    sources = sorted((built_layer / "talentsync").rglob("*.py"))
    assert len(sources) > 30

    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        header = compiled.read_bytes()[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH_FLAGS, source


def test_the_package_data_is_shipped(built_layer: Path) -> None:
    assert (built_layer / "talentsync" / "data" / "question_bank.json").is_file()


def test_the_runtime_imports_the_bytecode_without_reading_the_source(
    built_layer: Path, tmp_path: Path
) -> None:
    layer = tmp_path / "opt" / "python"
    shutil.copytree(built_layer, layer)
    (layer / "talentsync" / "errors.py").write_text("raise SystemExit('source read')\n")

    imported = subprocess.run(
        [sys.executable, "-c", "import talentsync.errors as e; print(e.__file__)"],
        env=dict(os.environ, PYTHONPATH=str(layer), PYTHONNOUSERSITE="1"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()) == layer / "talentsync" / "errors.py"
