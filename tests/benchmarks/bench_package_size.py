"""Built size of every function and of the shared layer, against Lambda's limits.

Run: `.venv/bin/python -m tests.benchmarks.bench_package_size`.

Zip functions and the layer are built by `sam build` (SAM CLI from .venv/sam,
python3.12 from pyenv, no Docker) into a temporary directory. The container
image function (OfflineEngineFunction) needs Docker to build, which this
machine does not have: `sam build` stops on it after the zip resources are
built, and its size is estimated instead by installing its requirements
(functions/offline_engine/requirements.txt, Linux x86_64 wheels for Python 3.12)
into a temporary directory and adding the shared package, without the Lambda
base image it starts from.

Limits (AWS Lambda quotas): a zip function with its layers at most 250 MB
unzipped; a zip uploaded directly at most 50 MB; a container image at most
10 GB uncompressed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tests.benchmarks.results import Section, Target, table

REPO_ROOT = Path(__file__).resolve().parents[2]
SAM = REPO_ROOT / ".venv" / "sam" / "bin" / "sam"
PYTHON312_DIRS = sorted(Path.home().glob(".pyenv/versions/3.12*/bin"))
LAYER = "SharedLayer"
# NOTE: the image function is estimated, not built (no Docker here): its
# requirements for Linux x86_64 plus the shared package, without the ~0.5 GB
# Lambda base image; far under the 10 GB limit either way.
IMAGE_FUNCTION = "OfflineEngineFunction"
UNZIPPED_LIMIT_MB = 250.0
ZIPPED_LIMIT_MB = 50.0
IMAGE_LIMIT_MB = 10 * 1024.0
MB = 1024 * 1024
NO_DOCKER = "requires a container runtime"
# Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34).
PLATFORMS = [f"--platform=manylinux_{tag}_x86_64" for tag in ("2_34", "2_28", "2_17")]
IMAGE_HEADER = re.compile(
    r"^  (\w+):\n    Type: AWS::Serverless::Function\n    Properties:\n"
    r"      PackageType: Image",
    re.MULTILINE,
)


def sam_build(build_dir: Path) -> str:
    """Build every zip resource; the image function's Docker error is expected."""
    environment = dict(os.environ)
    if PYTHON312_DIRS:
        environment["PATH"] = f"{PYTHON312_DIRS[-1]}:{environment['PATH']}"
    completed = subprocess.run(
        [str(SAM), "build", "--build-dir", str(build_dir), "--parallel"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0 and NO_DOCKER not in output:
        raise RuntimeError(f"sam build failed:\n{output[-3000:]}")
    return output


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def zipped_bytes(path: Path) -> int:
    """Size of the deployment zip SAM would upload (deflate, as `sam package`)."""
    with tempfile.TemporaryFile() as file:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in sorted(path.rglob("*")):
                if item.is_file():
                    archive.write(item, item.relative_to(path))
        return file.tell()


def zip_resources(build_dir: Path) -> dict[str, tuple[float, float]]:
    """(unzipped MB, zipped MB) per built resource."""
    return {
        entry.name: (tree_bytes(entry) / MB, zipped_bytes(entry) / MB)
        for entry in sorted(build_dir.iterdir())
        if entry.is_dir()
    }


def image_estimate_mb() -> float:
    """Requirements of the image installed for Linux x86_64, plus the package."""
    requirements = REPO_ROOT / "functions" / "offline_engine" / "requirements.txt"
    with tempfile.TemporaryDirectory() as target:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                target,
                *PLATFORMS,
                "--python-version",
                "3.12",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            check=True,
            capture_output=True,
        )
        installed = tree_bytes(Path(target))
    package = tree_bytes(REPO_ROOT / "layers" / "shared" / "talentsync")
    return (installed + package) / MB


def image_functions() -> list[str]:
    template = (REPO_ROOT / "template.yaml").read_text()
    return IMAGE_HEADER.findall(template)


def report(sizes: dict[str, tuple[float, float]], image_mb: float | None) -> Section:
    layer_unzipped = sizes[LAYER][0]
    rows, targets = [], []
    for name, (unzipped, zipped) in sizes.items():
        with_layer = unzipped if name == LAYER else unzipped + layer_unzipped
        rows.append([name, "zip", unzipped, zipped, with_layer, "250 / 50"])
        targets.append(
            Target(
                f"{name} size",
                f"{with_layer:.1f} MB unzipped with the layer, {zipped:.2f} MB zipped",
                f"<= {UNZIPPED_LIMIT_MB:g} MB unzipped,"
                f" <= {ZIPPED_LIMIT_MB:g} MB zipped",
                with_layer <= UNZIPPED_LIMIT_MB and zipped <= ZIPPED_LIMIT_MB,
            )
        )
    if image_mb is not None:
        rows.append(
            [f"{IMAGE_FUNCTION} (estimate)", "image", image_mb, "-", image_mb, "10240"]
        )
        targets.append(
            Target(
                f"{IMAGE_FUNCTION} size (estimate, base image excluded)",
                f"{image_mb:.0f} MB",
                f"<= {IMAGE_LIMIT_MB:g} MB",
                image_mb <= IMAGE_LIMIT_MB,
            )
        )
    headers = [
        "resource",
        "package",
        "unzipped MB",
        "zipped MB",
        "with the layer MB",
        "limit MB",
    ]
    section = Section("Package size")
    section.tables.append(table(headers, rows))
    section.targets += targets
    section.notes.append(
        "Zip resources built by `sam build` (arm64 wheels for the layer, as the"
        f" template says); {IMAGE_FUNCTION} cannot be built without Docker, so its"
        " figure is its requirements installed for Linux x86_64 plus the shared"
        " package, without the public.ecr.aws/lambda/python:3.12 base image."
    )
    section.chart = {
        "unzipped MB with the layer": {
            name: (u if name == LAYER else u + layer_unzipped)
            for name, (u, _) in sizes.items()
        }
    }
    return section


def run() -> Section:
    with tempfile.TemporaryDirectory() as build_dir:
        sam_build(Path(build_dir))
        sizes = zip_resources(Path(build_dir))
    image_mb = image_estimate_mb() if IMAGE_FUNCTION in image_functions() else None
    return report(sizes, image_mb)


def main() -> None:
    print(run().markdown())


if __name__ == "__main__":
    main()
