"""Turning an answer in any accepted format into the samples Whisper reads.

Whisper reads 16 kHz mono float32 samples in [-1, 1]. PyAV, whose wheel bundles
FFmpeg's libraries, demuxes and decodes every accepted format (wav, mp3, m4a,
mp4, webm, ogg, flac), and its resampler mixes down to mono and resamples to
16 kHz in the same pass.

faster_whisper's own `decode_audio` is not used: version 1.2.1 passes
`metadata_errors` to `av.open`, which the PyAV installed here (19.x) rejects
with a TypeError for every input.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talentsync.errors import InvalidAudioError

# numpy is imported where it is used: the zip functions that import this package
# do not ship it.
if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

SAMPLE_RATE_HZ = 16_000


# NOTE: the whole answer is decoded into memory, 3.84 MB per minute of audio
# (twice that while the chunks are joined). Interview answers last minutes; an
# upload of hours would exhaust the engine function's memory (a permanent
# Runtime.OutOfMemory for the caller). Upload size is the only limit upstream.
def decode_audio(source: Path | bytes) -> NDArray[np.float32]:
    """Decode a file or its bytes to 16 kHz mono float32 samples.

    Raises `InvalidAudioError` when the input is not audio FFmpeg can decode, has
    no audio stream, or decodes to no samples.
    """
    # PyAV loads FFmpeg's shared libraries; only the engine should pay for that.
    import av

    try:
        with av.open(_as_input(source), mode="r") as container:
            chunks = list(_decode_first_audio_stream(container, source))
    except av.error.FFmpegError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidAudioError(
            f"{_describe(source)} is not decodable audio: {reason}"
        ) from exc

    return _joined_samples(chunks, source)


def duration_seconds(samples: NDArray[np.float32]) -> float:
    """Return how long decoded samples play for."""
    return len(samples) / SAMPLE_RATE_HZ


def _decode_first_audio_stream(
    container: Any, source: Path | bytes
) -> Iterator[NDArray[np.float32]]:
    import av

    if not container.streams.audio:
        raise InvalidAudioError(f"{_describe(source)} has no audio stream")

    stream = container.streams.audio[0]
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE_HZ)
    for packet in container.demux(stream):
        for frame in _decoded_frames(packet):
            yield from _resampled(resampler, frame)

    # A None frame flushes the samples the resampler still holds.
    yield from _resampled(resampler, None)


# NOTE: a packet FFmpeg reports as invalid is skipped, so an answer with a
# damaged stretch still transcribes from the rest (browser recorders sometimes
# write a bad final packet). Only input that yields no samples at all fails.
def _decoded_frames(packet: Any) -> list[Any]:
    import av

    try:
        return list(packet.decode())
    except av.error.InvalidDataError:
        return []


def _resampled(resampler: Any, frame: Any) -> Iterator[NDArray[np.float32]]:
    import numpy as np

    for resampled in resampler.resample(frame):
        yield resampled.to_ndarray().reshape(-1).astype(np.float32, copy=False)


def _joined_samples(
    chunks: list[NDArray[np.float32]], source: Path | bytes
) -> NDArray[np.float32]:
    if not chunks or sum(len(chunk) for chunk in chunks) == 0:
        raise InvalidAudioError(f"{_describe(source)} decodes to no audio samples")

    import numpy as np

    return np.concatenate(chunks)


def _as_input(source: Path | bytes) -> str | io.BytesIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return str(source)


def _describe(source: Path | bytes) -> str:
    if isinstance(source, bytes):
        return f"the uploaded bytes ({len(source)} bytes)"
    return f"audio file {source.name}"
