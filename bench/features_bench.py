#!/usr/bin/python3
"""Feature-extraction throughput of uadscope beside librosa 0.10 on the same files.

Both engines do the same work per file: decode, mean of channels, resampling to 16 kHz when
needed, mean removal, absmax normalisation, power STFT (n_fft 1024, hop 512, centred, zero
padding), log-STFT and log-mel (128 Slaney bins) with power_to_db. Nothing is written to disk.
uadscope runs bench/features_bench (C++, one FeatureExtractor per thread); librosa runs in a
process pool of the same size, each process limited to one BLAS thread.

librosa is used only when LIBROSA_SRC names a librosa source tree (the folder that contains the
`librosa` package); otherwise the script prints "librosa: not available". Debian 12 has no
python3-soxr, which librosa 0.10 imports at start-up, so when it is missing a minimal `soxr`
module that calls Debian's libsoxr through ctypes replaces it.

Usage: bench/features_bench.py [--bin PATH] [--jobs 2] [--repeat 2] [--data DIR]
"""

import argparse
import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import pathlib
import resource
import subprocess
import sys
import time
import types

# One BLAS thread per librosa process, set before numpy loads OpenBLAS: the pool already has one
# process per core. The C++ benchmark uses no BLAS.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

SAMPLE_RATE = 16000


def parse_arguments():
    source_dir = pathlib.Path(__file__).resolve().parent.parent
    build_dir = pathlib.Path(os.environ.get("UADSCOPE_BUILD_DIR", source_dir / "build"))
    shared_dir = pathlib.Path(os.environ.get("UADSCOPE_SHARED_DIR", source_dir.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=pathlib.Path, default=build_dir / "features_bench",
                        help="the features_bench executable (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="threads for uadscope, processes for librosa (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="times every file is processed (default: %(default)s)")
    parser.add_argument("--data", type=pathlib.Path, default=shared_dir / "data",
                        help="folder searched for .wav files (default: %(default)s)")
    return parser.parse_args()


def run_uadscope(arguments, mode):
    command = [str(arguments.bin), "--jobs", str(arguments.jobs), "--repeat",
               str(arguments.repeat), "--mode", mode, str(arguments.data)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    fields = dict(item.split("=", 1) for item in output.split())
    print(output.strip(), flush=True)
    return fields


def install_soxr_shim():
    """Registers a `soxr` module with the resample() call librosa 0.10 makes, on libsoxr."""
    library_path = ctypes.util.find_library("soxr")
    if library_path is None:
        raise RuntimeError("libsoxr not found (apt-get install libsoxr0)")
    library = ctypes.CDLL(library_path)

    class IoSpec(ctypes.Structure):
        _fields_ = [("itype", ctypes.c_int), ("otype", ctypes.c_int), ("scale", ctypes.c_double),
                    ("e", ctypes.c_void_p), ("flags", ctypes.c_ulong)]

    class QualitySpec(ctypes.Structure):
        _fields_ = [("precision", ctypes.c_double), ("phase_response", ctypes.c_double),
                    ("passband_end", ctypes.c_double), ("stopband_begin", ctypes.c_double),
                    ("e", ctypes.c_void_p), ("flags", ctypes.c_ulong)]

    library.soxr_io_spec.restype = IoSpec
    library.soxr_io_spec.argtypes = [ctypes.c_int, ctypes.c_int]
    library.soxr_quality_spec.restype = QualitySpec
    library.soxr_quality_spec.argtypes = [ctypes.c_ulong, ctypes.c_ulong]
    library.soxr_oneshot.restype = ctypes.c_char_p
    library.soxr_oneshot.argtypes = [
        ctypes.c_double, ctypes.c_double, ctypes.c_uint, ctypes.c_void_p, ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p, ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(IoSpec), ctypes.POINTER(QualitySpec),
        ctypes.c_void_p]
    # Recipe values from soxr.h (libsoxr 0.1.3).
    recipes = {"qq": 0, "lq": 1, "mq": 2, "hq": 4, "vhq": 6}
    float32_interleaved = 0

    def resample(x, in_rate, out_rate, quality="HQ"):
        name = str(quality).lower().removeprefix("soxr_")
        x = np.ascontiguousarray(x, dtype=np.float32)
        output = np.zeros(int(np.ceil(len(x) * out_rate / in_rate)), dtype=np.float32)
        done = ctypes.c_size_t(0)
        io = library.soxr_io_spec(float32_interleaved, float32_interleaved)
        spec = library.soxr_quality_spec(recipes[name], 0)
        error = library.soxr_oneshot(in_rate, out_rate, 1, x.ctypes.data, len(x), None,
                                     output.ctypes.data, len(output), ctypes.byref(done),
                                     ctypes.byref(io), ctypes.byref(spec), None)
        if error:
            raise RuntimeError(error.decode())
        return output[: done.value]

    module = types.ModuleType("soxr")
    module.resample = resample
    module.__version__ = "libsoxr-ctypes"
    sys.modules["soxr"] = module


def import_librosa(source):
    sys.path.insert(0, source)
    try:
        import soxr  # noqa: F401
    except ImportError:
        install_soxr_shim()
    import audioread
    import librosa

    # librosa 0.10 load() calls audioread.available_backends() on every file, and Debian 12's
    # audioread 2.1.9 probes for ffmpeg with subprocesses on each call (about 0.4 s per file).
    # audioread 3.0 caches the result, and so does this, to time librosa itself.
    if not hasattr(audioread.available_backends, "cache_info"):
        audioread.available_backends = functools.lru_cache(maxsize=None)(
            audioread.available_backends)
    return librosa


_librosa = None
_mel_basis = None


def librosa_worker_start(source):
    global _librosa, _mel_basis
    _librosa = import_librosa(source)
    # Built once per process, as a careful librosa user would, not once per file.
    _mel_basis = _librosa.filters.mel(sr=SAMPLE_RATE, n_fft=1024, n_mels=128)


def librosa_features(path):
    librosa = _librosa
    cpu_start = time.process_time()
    y, _ = librosa.load(path, sr=SAMPLE_RATE, mono=True)
    y = y - y.mean()
    y = y / np.max(np.abs(y))
    power = np.abs(librosa.stft(y, n_fft=1024, hop_length=512, center=True,
                                pad_mode="constant")) ** 2
    log_stft = librosa.power_to_db(power)
    log_mel = librosa.power_to_db(_mel_basis @ power)
    assert log_mel.shape[1] == log_stft.shape[1]
    return len(y), log_stft.shape[1], time.process_time() - cpu_start


def run_librosa(arguments, source):
    # Import once here so that a broken librosa set-up fails with its own error, not with a
    # pool that keeps restarting workers whose initializer fails.
    import_librosa(source)
    files = sorted(str(path) for path in arguments.data.rglob("*.wav"))
    work = files * arguments.repeat

    context = multiprocessing.get_context("fork")
    with context.Pool(arguments.jobs, initializer=librosa_worker_start,
                      initargs=(source,)) as pool:
        # Warm-up outside the timing: numba compiles librosa's kernels on first use.
        pool.map(librosa_features, files[: arguments.jobs * 2], chunksize=1)
        start = time.perf_counter()
        results = pool.map(librosa_features, work, chunksize=4)
        seconds = time.perf_counter() - start

    # CPU time of the feature calls themselves, measured inside the workers.
    cpu = sum(result[2] for result in results)
    samples = sum(result[0] for result in results)
    frames = sum(result[1] for result in results)
    audio_hours = samples / SAMPLE_RATE / 3600
    # The largest resident set of any pool process (ru_maxrss is in KiB on Linux).
    peak_rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    fields = {
        "engine": "librosa", "version": sys.modules["librosa"].__version__, "mode": "both",
        "jobs": arguments.jobs, "files": len(work), "audio_hours": f"{audio_hours:.4f}",
        "frames": frames, "wall_s": f"{seconds:.3f}", "files_per_s": f"{len(work) / seconds:.1f}",
        "s_per_audio_hour": f"{seconds / audio_hours:.2f}",
        "cpu_ms_per_file": f"{1000 * cpu / len(work):.3f}",
        "peak_rss_mib_per_process": f"{peak_rss_mib:.1f}",
    }
    print(" ".join(f"{key}={value}" for key, value in fields.items()), flush=True)
    return fields


def main():
    arguments = parse_arguments()
    if not arguments.bin.exists():
        sys.exit(f"features_bench: {arguments.bin} not found; build the features_bench target "
                 "or pass --bin")
    if not arguments.data.is_dir():
        sys.exit(f"features_bench: data folder {arguments.data} not found; pass --data")
    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    results = {mode: run_uadscope(arguments, mode)
               for mode in ("decode", "log_stft", "log_mel", "both")}

    source = os.environ.get("LIBROSA_SRC")
    if not source:
        print("librosa: not available (set LIBROSA_SRC to a librosa 0.10 source tree)")
        return
    librosa_result = run_librosa(arguments, source)
    ratio_wall = float(results["both"]["files_per_s"]) / float(librosa_result["files_per_s"])
    ratio_cpu = (float(librosa_result["cpu_ms_per_file"]) /
                 float(results["both"]["cpu_ms_per_file"]))
    print(f"uadscope / librosa, both representations: {ratio_wall:.1f}x files/s, "
          f"{ratio_cpu:.1f}x less CPU time per file")


if __name__ == "__main__":
    main()
