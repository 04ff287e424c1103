#!/usr/bin/env bash
# SQS throughput against LocalStack: our client (batches, concurrent calls) vs a boto3 one-at-a-time loop.
#   Benchmarks/sqs.sh [messages] [concurrency]        (starts LocalStack if needed)
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1 VIDEOQUEUE_BENCHMARKS=1   # the benchmark drivers are in Package.swift only then
cd "$(dirname "$0")/.."
messages=${1:-10000}
concurrency=${2:-8}
endpoint="http://127.0.0.1:${LOCALSTACK_PORT:-4566}"
localstack/start >/dev/null
swift build -c release --static-swift-stdlib --product SQSBenchmark --scratch-path .build-release >&2
echo "VideoQueue SQSClient: $(.build-release/release/SQSBenchmark "$endpoint" "$messages" "$concurrency")"
echo "boto3 one at a time:  $(.venv-localstack/bin/python Benchmarks/sqs/boto3_one_at_a_time.py "$endpoint" "$messages")"
