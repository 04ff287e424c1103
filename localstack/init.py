"""Creates VideoQueue's AWS resources, idempotently, on a local endpoint (LocalStack or moto):

- the bucket            $VIDEOQUEUE_BUCKET     (default videoqueue)
- the dead-letter queue $VIDEOQUEUE_DLQ_NAME   (default videoqueue-jobs-dlq), MessageRetentionPeriod 14 days
- the job queue         $VIDEOQUEUE_QUEUE_NAME (default videoqueue-jobs), VisibilityTimeout 60,
                        ReceiveMessageWaitTimeSeconds 20, RedrivePolicy maxReceiveCount 5 -> the DLQ

Existing queues get their attributes set to these values, so a re-run converges instead of failing.
Prints KEY=value lines (shell-quoted) on stdout for `eval` or `source`; progress goes to stderr.

Endpoint: $AWS_ENDPOINT_URL (default http://127.0.0.1:4566). Region: $AWS_REGION / $AWS_DEFAULT_REGION
(default us-east-1). Credentials: test/test, unless $VIDEOQUEUE_INIT_ACCESS_KEY_ID and
$VIDEOQUEUE_INIT_SECRET_ACCESS_KEY are set (e.g. moto's key from .localstack/moto-credentials.env).
Usage: python init.py [--env-file PATH]   (also writes the KEY=value lines to PATH)
"""

import json
import os
import shlex
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

VISIBILITY_TIMEOUT = "60"
WAIT_TIME_SECONDS = "20"
MAX_RECEIVE_COUNT = 5
DLQ_RETENTION_SECONDS = "1209600"  # 14 days, the maximum: longer than the job queue's default 4 days


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def error_code(error):
    # moto prefixes SQS error codes with "com.amazonaws.sqs#"; LocalStack and AWS do not.
    return error.response.get("Error", {}).get("Code", "").split("#")[-1]


def ensure_bucket(s3, bucket, region):
    try:
        s3.head_bucket(Bucket=bucket)
        log(f"bucket {bucket} exists")
        return
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
            raise
    arguments = {"Bucket": bucket}
    if region != "us-east-1":
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**arguments)
        log(f"bucket {bucket} created")
    except ClientError as error:
        if error_code(error) != "BucketAlreadyOwnedByYou":
            raise
        log(f"bucket {bucket} exists")


def ensure_queue(sqs, name, attributes):
    """Returns (url, arn) of the queue NAME with ATTRIBUTES, creating it or updating its attributes."""
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if error_code(error) not in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        log(f"queue {name} created")
    else:
        current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(attributes))["Attributes"]
        if any(not same_attribute(key, current.get(key), value) for key, value in attributes.items()):
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
            log(f"queue {name} exists; attributes updated")
        else:
            log(f"queue {name} exists")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def same_attribute(key, current, wanted):
    if current is None:
        return False
    if key == "RedrivePolicy":  # JSON whose maxReceiveCount may come back as a number or a string
        def normal(text):
            policy = json.loads(text)
            return policy.get("deadLetterTargetArn"), str(policy.get("maxReceiveCount"))
        return normal(current) == normal(wanted)
    return str(current) == str(wanted)


def main(argv):
    env_file = None
    if argv[:1] == ["--env-file"] and len(argv) == 2:
        env_file = argv[1]
    elif argv:
        print(__doc__, file=sys.stderr)
        return 2

    endpoint = os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566"
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    bucket = os.environ.get("VIDEOQUEUE_BUCKET") or "videoqueue"
    queue_name = os.environ.get("VIDEOQUEUE_QUEUE_NAME") or "videoqueue-jobs"
    dlq_name = os.environ.get("VIDEOQUEUE_DLQ_NAME") or "videoqueue-jobs-dlq"

    session = boto3.session.Session(
        aws_access_key_id=os.environ.get("VIDEOQUEUE_INIT_ACCESS_KEY_ID") or "test",
        aws_secret_access_key=os.environ.get("VIDEOQUEUE_INIT_SECRET_ACCESS_KEY") or "test",
        region_name=region,
    )
    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path"},
    )
    s3 = session.client("s3", endpoint_url=endpoint, config=config)
    sqs = session.client("sqs", endpoint_url=endpoint, config=config)

    log(f"initialising {endpoint} ({region})")
    try:
        ensure_bucket(s3, bucket, region)
        # The web console PUTs direct uploads to S3 from the page: the local bucket accepts them from any loopback
        # origin (a real bucket names the producer's origin: docs/producer.md).
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": ["http://127.0.0.1:*", "http://localhost:*"], "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
        dlq_url, dlq_arn = ensure_queue(sqs, dlq_name, {"MessageRetentionPeriod": DLQ_RETENTION_SECONDS})
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)})
        queue_url, queue_arn = ensure_queue(sqs, queue_name, {
            "VisibilityTimeout": VISIBILITY_TIMEOUT,
            "ReceiveMessageWaitTimeSeconds": WAIT_TIME_SECONDS,
            "RedrivePolicy": redrive,
        })
    except EndpointConnectionError as error:
        print(f"error: cannot reach {endpoint}: {error} (is it running? try localstack/start)", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"error: initialising {endpoint} failed: {error}", file=sys.stderr)
        return 1

    values = {
        "VIDEOQUEUE_ENDPOINT_URL": endpoint,
        "VIDEOQUEUE_REGION": region,
        "VIDEOQUEUE_BUCKET": bucket,
        "VIDEOQUEUE_QUEUE_URL": queue_url,
        "VIDEOQUEUE_QUEUE_ARN": queue_arn,
        "VIDEOQUEUE_DLQ_URL": dlq_url,
        "VIDEOQUEUE_DLQ_ARN": dlq_arn,
    }
    lines = "".join(f"{key}={shlex.quote(value)}\n" for key, value in values.items())
    sys.stdout.write(lines)
    if env_file:
        temporary = f"{env_file}.tmp"
        with open(temporary, "w") as handle:
            handle.write(lines)
        os.replace(temporary, env_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
