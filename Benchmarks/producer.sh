#!/usr/bin/env bash
# Ingest throughput: a file POSTed to the producer (streamed into S3 with a multipart upload while hashed)
# vs `aws s3 cp` of the same file to the same LocalStack, with the producer's peak RSS (VmHWM).
#   Benchmarks/producer.sh [size-in-MiB] [debug|release]      (default 1024 release; starts LocalStack if needed)
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
size_mib=${1:-1024}
mode=${2:-release}
endpoint="http://127.0.0.1:${LOCALSTACK_PORT:-4566}"
work=$(mktemp -d)
producer_pid=""
cleanup() { [ -n "$producer_pid" ] && kill "$producer_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
localstack/start >/dev/null
binary="$(build_products "$mode" producer)/producer"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$endpoint"
bucket="vq-bench-$RANDOM$RANDOM"
queue_url=$(aws --endpoint-url "$endpoint" sqs create-queue --queue-name "$bucket" --query QueueUrl --output text)
aws --endpoint-url "$endpoint" s3 mb "s3://$bucket" >/dev/null
# A file that sniffs as MP4: an ftyp box, then random bytes.
{ printf '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'; head -c "$((size_mib * 1024 * 1024 - 24))" /dev/urandom; } > "$work/source.mp4"

export DATABASE_URL="$work/videos.sqlite" VIDEOQUEUE_BUCKET="$bucket" VIDEOQUEUE_QUEUE_URL="$queue_url" VIDEOQUEUE_PORT=18089 \
    VIDEOQUEUE_MAX_UPLOAD_BYTES=$((4 << 30)) LOG_LEVEL=warning
key=$("$binary" keys create --owner bench 2>/dev/null)
"$binary" serve & producer_pid=$!
for _ in $(seq 100); do curl -fsS http://127.0.0.1:18089/healthz >/dev/null 2>&1 && break; sleep 0.1; done

seconds() { local start=$1 end=$2; echo "$end - $start" | bc -l; }
echo "| run ($size_mib MiB, $mode build) | seconds | MiB/s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
start=$(date +%s.%N)
/usr/bin/time -v aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$work/source.mp4" "s3://$bucket/aws.mp4" 2> "$work/time.txt"
end=$(date +%s.%N)
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
t=$(seconds "$start" "$end"); printf '| aws s3 cp | %.2f | %.0f | %s |\n' "$t" "$(echo "$size_mib / $t" | bc -l)" "$rss"
start=$(date +%s.%N)
status=$(curl -sS -o "$work/response.json" -w '%{http_code}' -X POST -T "$work/source.mp4" -H "Expect:" \
    -H "Authorization: Bearer $key" -H "Content-Type: video/mp4" "http://127.0.0.1:18089/v1/videos?title=bench")
end=$(date +%s.%N)
[ "$status" = 202 ] || { echo "producer answered $status: $(cat "$work/response.json")" >&2; exit 1; }
rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$producer_pid/status")
t=$(seconds "$start" "$end"); printf '| VideoQueue producer POST /v1/videos | %.2f | %.0f | %s |\n' "$t" "$(echo "$size_mib / $t" | bc -l)" "$rss"
aws --endpoint-url "$endpoint" s3 rb --force "s3://$bucket" >/dev/null
aws --endpoint-url "$endpoint" sqs delete-queue --queue-url "$queue_url"
