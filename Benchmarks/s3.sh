#!/usr/bin/env bash
# S3 throughput against LocalStack: our client vs `aws s3 cp`, both with 10 parallel 8 MiB parts, 1 GiB up and down,
# with peak RSS from /usr/bin/time -v; then the emulator's ceiling with 4 uploads by aws-cli at once.
#   Benchmarks/s3.sh [size-in-MiB] [debug|release]        (default 1024 release; starts LocalStack if needed)
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1 VIDEOQUEUE_BENCHMARKS=1   # the benchmark drivers are in Package.swift only then
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
mode=${2:-release}
endpoint="http://127.0.0.1:${LOCALSTACK_PORT:-4566}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
localstack/start >/dev/null
if [ "$mode" = release ]; then
    [ -n "${SKIP_BUILD:-}" ] || swift build -c release --static-swift-stdlib --product S3Benchmark --scratch-path .build-release >&2
    benchmark=.build-release/release/S3Benchmark
else
    [ -n "${SKIP_BUILD:-}" ] || swift build --product S3Benchmark >&2
    benchmark=.build/debug/S3Benchmark
fi
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
bucket="vq-bench-$RANDOM$RANDOM"
aws --endpoint-url "$endpoint" s3 mb "s3://$bucket" >/dev/null
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/source.bin"

# time_and_rss LABEL COMMAND…: wall seconds and peak RSS (MiB) of one command.
time_and_rss() {
    local label=$1; shift
    /usr/bin/time -v "$@" > "$work/out.txt" 2> "$work/time.txt"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
    printf '| %s | %.2f | %.0f | %s |\n' "$label" "$wall" "$(echo "$size_mib / $wall" | bc -l)" "$rss"
}

echo "| run ($size_mib MiB, $mode build) | seconds | MiB/s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
# Two rounds in opposite orders: LocalStack slows as it holds more data, so whoever goes second is disadvantaged.
time_and_rss "aws s3 cp upload (round 1, first)" aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$work/source.bin" "s3://$bucket/aws.bin"
time_and_rss "VideoQueue S3Client upload (round 1, second)" "$benchmark" upload "$endpoint" "$bucket" ours.bin "$work/source.bin" 8 10
time_and_rss "VideoQueue S3Client upload (round 2, first)" "$benchmark" upload "$endpoint" "$bucket" ours2.bin "$work/source.bin" 8 10
time_and_rss "aws s3 cp upload (round 2, second)" aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$work/source.bin" "s3://$bucket/aws2.bin"
time_and_rss "aws s3 cp download" aws --endpoint-url "$endpoint" s3 cp --only-show-errors "s3://$bucket/aws.bin" "$work/aws-down.bin"
time_and_rss "VideoQueue S3Client download" "$benchmark" download "$endpoint" "$bucket" ours.bin "$work/ours-down.bin"
cmp "$work/source.bin" "$work/ours-down.bin" || { echo "downloaded bytes differ" >&2; exit 1; }

# The emulator's ceiling: 4 aws-cli uploads at once.
start=$(date +%s.%N)
for i in 1 2 3 4; do aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$work/source.bin" "s3://$bucket/parallel-$i.bin" & done
wait
end=$(date +%s.%N)
printf '| LocalStack ceiling: 4 × aws s3 cp at once | %.2f | %.0f (aggregate) | – |\n' "$(echo "$end - $start" | bc -l)" "$(echo "4 * $size_mib / ($end - $start)" | bc -l)"
aws --endpoint-url "$endpoint" s3 rb --force "s3://$bucket" >/dev/null
