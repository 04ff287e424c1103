#!/usr/bin/env bash
# The consumer's benchmarks against LocalStack: pipeline overhead vs bare FFmpeg, no-op messages/s vs a boto3
# worker, idle cost, upload→start latency (see Benchmarks/consumer/bench.py).
#   Benchmarks/consumer.sh [debug|release] [bench.py options…]      (default release; SKIP_BUILD=1 uses what is built)
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1
cd "$(dirname "$0")/.."
mode=${1:-release}
shift || true
localstack/start >/dev/null
if [ "$mode" = release ]; then
    if [ -z "${SKIP_BUILD:-}" ]; then
        swift build -c release --static-swift-stdlib --scratch-path .build-release --product producer >&2
        swift build -c release --static-swift-stdlib --scratch-path .build-release --product consumer >&2
    fi
    bin=.build-release/release
else
    if [ -z "${SKIP_BUILD:-}" ]; then
        swift build --product producer >&2
        swift build --product consumer >&2
    fi
    bin=.build/debug
fi
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:${LOCALSTACK_PORT:-4566}"
python3 Benchmarks/consumer/bench.py "$bin" "$@"
