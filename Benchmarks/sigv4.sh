#!/usr/bin/env bash
# SigV4 benchmark: our signer (release build) vs its crypto floor vs botocore, on identical requests.
#   Benchmarks/sigv4.sh [iterations] [repeats]
# Each operation and its floor are timed in alternating rounds (median of `repeats`), pinned to one CPU.
# The release build takes /tmp/vq-release.lock (shared with the other release builds on this machine) and runs
# niced; SIGV4_BENCH_BINARY=<path> times that SigV4Benchmark binary instead of building (e.g. a baseline).
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1 VIDEOQUEUE_BENCHMARKS=1   # the benchmark drivers are in Package.swift only then
cd "$(dirname "$0")/.."
iterations=${1:-50000}
repeats=${2:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 Benchmarks/sigv4/botocore_bench.py --show-requests > "$work/requests.json"
binary=${SIGV4_BENCH_BINARY:-}
if [ -z "$binary" ]; then
    flock /tmp/vq-release.lock nice -n 10 swift build -c release --static-swift-stdlib --product SigV4Benchmark --scratch-path .build-release >&2
    binary=.build-release/release/SigV4Benchmark
fi
# Both sides pinned to one CPU when taskset is there: no migration between cores in the middle of a timed round.
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
    pin=(taskset -c "$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')")  # the last CPU this process may use
fi
ours=$("${pin[@]}" "$binary" "$work/requests.json" "$iterations" "$repeats")
boto=$("${pin[@]}" python3 Benchmarks/sigv4/botocore_bench.py --iterations 20000 --repeats "$repeats")

python3 - "$ours" "$boto" <<'PY'
import json, sys
ours, boto = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [
    ("(a) SQS SendMessage, 1 KiB body, session token", "sqs_send_message_header_us", "sqs_send_message_floor_us", "sqs_send_message_header_us"),
    ("(b) S3 presigned GET, session token", "s3_presign_get_us", "s3_presign_get_floor_us", "s3_presign_get_us"),
    ("(c) one 64 KiB chunk signature", "chunk_64k_us", "chunk_64k_floor_us", None),
]
print(f"| operation | VideoQueue µs | crypto floor µs | × floor | botocore µs | botocore ÷ VideoQueue |")
print(f"|---|---:|---:|---:|---:|---:|")
for name, key, floor, bkey in rows:
    b = boto.get(bkey) if bkey else None
    print(f"| {name} | {ours[key]:.2f} | {ours[floor]:.2f} | {ours[key]/ours[floor]:.2f} | "
          + (f"{b:.1f} | {b/ours[key]:.0f}× |" if b else "– | – |"))
PY
