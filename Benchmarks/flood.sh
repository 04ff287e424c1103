#!/usr/bin/env bash
# Floods a producer from one API key (Benchmarks/flood.py: a 256 MiB never-ending part header, 20,000 form fields
# of 16 KiB, 2,000 idle connections, 500 SSE streams) while another key uploads, and reports for each case the
# producer's peak RSS and the other key's upload rate beside the unloaded rate (a fresh producer per case, the
# cases in alternating rounds). Everything on 127.0.0.1, bounded in count and time.
#   Benchmarks/flood.sh [release|debug] [rounds]        (default: release 2; starts LocalStack if needed)
# The SSE case raises the per-owner stream cap to 1,000 so that all 500 streams are really held (the default
# cap, 16, answers the rest 429 at once).
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
mode=${1:-release}
rounds=${2:-2}
endpoint="http://127.0.0.1:${LOCALSTACK_PORT:-4566}"
work=$(mktemp -d)
producer_pid=""
cleanup() { [ -n "$producer_pid" ] && kill "$producer_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
localstack/start >/dev/null
binary="$(build_products "$mode" producer)/producer"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$endpoint"
bucket="vq-flood-$RANDOM$RANDOM"
python=${VIDEOQUEUE_PYTHON:-python3}
queue_url=$("$python" - "$endpoint" "$bucket" <<'EOF'
import sys, boto3
endpoint, name = sys.argv[1], sys.argv[2]
boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
print(boto3.client("sqs", endpoint_url=endpoint).create_queue(QueueName=name)["QueueUrl"])
EOF
)
export DATABASE_URL="$work/videos.sqlite" VIDEOQUEUE_BUCKET="$bucket" VIDEOQUEUE_QUEUE_URL="$queue_url" VIDEOQUEUE_PORT=18090 \
    LOG_LEVEL=error VIDEOQUEUE_UPLOADS_PER_MINUTE=0
attacker=$("$binary" keys create --owner attacker 2>/dev/null)
victim=$("$binary" keys create --owner victim 2>/dev/null)

start_producer() {
    "$binary" serve & producer_pid=$!
    for _ in $(seq 200); do curl -fsS http://127.0.0.1:18090/healthz >/dev/null 2>&1 && return; sleep 0.1; done
    echo "the producer did not start" >&2; exit 1
}
stop_producer() { kill "$producer_pid"; wait "$producer_pid" 2>/dev/null || true; producer_pid=""; }

# A video of the attacker's for the SSE streams to follow.
start_producer
video=$(curl -fsS -X POST -H "Authorization: Bearer $attacker" -H "Content-Type: video/mp4" \
    --data-binary @<(printf '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'; head -c 4096 /dev/urandom) \
    "http://127.0.0.1:18090/v1/videos" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["video"]["id"])')
stop_producer

for round in $(seq "$rounds"); do
    for case in none header none fields none idle none sse; do
        if [ "$case" = sse ]; then export VIDEOQUEUE_MAX_STREAMS_PER_KEY=1000; else unset VIDEOQUEUE_MAX_STREAMS_PER_KEY; fi
        start_producer
        "$python" Benchmarks/flood.py --port 18090 --pid "$producer_pid" --attacker "$attacker" --victim "$victim" \
            --case "$case" --video "$video" --seconds 12 | sed "s/^/round $round: /"
        stop_producer
    done
done
"$python" - "$endpoint" "$bucket" "$queue_url" <<'EOF'
import sys, boto3
endpoint, name, queue = sys.argv[1:4]
bucket = boto3.resource("s3", endpoint_url=endpoint).Bucket(name)
bucket.objects.all().delete(); bucket.delete()
boto3.client("sqs", endpoint_url=endpoint).delete_queue(QueueUrl=queue)
EOF
