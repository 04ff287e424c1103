#!/usr/bin/env bash
# The long chaos run (Benchmarks/chaos.py) through the release binaries: N videos, consumers SIGKILLed and SIGTERMed
# at random (one every 20 s: each instance about once a minute, within systemd's 10 starts in 5 minutes) and restarted
# by a systemd-like supervisor, SQS and S3 cut off by a fault proxy for 3 minutes from
# before the consumers start and for 30 s mid-run, two copies of some messages. The test suite (scripts/test) runs
# a shortened one on the debug build.
#   Benchmarks/chaos.sh [videos] [consumers] [release|debug]   (default: 24 3 release; starts LocalStack, and moto for its venv)
# The consumers' work is FFmpeg's, so the debug build shows the same behaviour without the 25-minute release build.
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
videos=${1:-24}
consumers=${2:-3}
mode=${3:-release}
localstack/start >/dev/null
localstack/moto-start >/dev/null   # its venv has boto3
binaries=$(build_products "$mode" producer consumer)
exec .venv-moto/bin/python Benchmarks/chaos.py --binaries "$binaries" --videos "$videos" --consumers "$consumers" \
    --startup-outage 180 --outage 30 --seconds 30 --kill-every 20 --restart-delay 5 --visibility 60 --duplicates 4 --timeout 3600
