#!/usr/bin/env bash
# LocalStack "ready" hook for docker-compose.yml: LocalStack runs every executable *.sh in
# /etc/localstack/init/ready.d once its services are up. This one runs the same init.py as
# localstack/init (mounted at /opt/videoqueue/init.py) against the container's own gateway; the
# KEY=value lines land in the container log and in /tmp/videoqueue.env inside the container.
set -euo pipefail
init_py="${VIDEOQUEUE_INIT_PY:-/opt/videoqueue/init.py}"
python=/opt/code/localstack/.venv/bin/python   # the image's own Python, which has boto3
[ -x "$python" ] || python=python3
export AWS_ENDPOINT_URL="${VIDEOQUEUE_INIT_ENDPOINT_URL:-http://127.0.0.1:4566}"
exec "$python" "$init_py" --env-file /tmp/videoqueue.env
