"""Checks the running emulators behave as the project relies on (run by localstack/selftest).

LocalStack (AWS_ENDPOINT_URL, default http://127.0.0.1:4566; needs localstack/init to have run):
  the queues' attributes and redrive policy, a poison message reaching the DLQ after 5 receives,
  presigned GET: correct -> 200, tampered signature / expired -> 403,
  aws-chunked uploads (signed chunks, signed chunks + trailer, unsigned + trailer) decode correctly,
  and a wrong CRC32 trailer -> 400 BadDigest.
moto (if .localstack/moto-credentials.env exists): header signatures are checked (wrong secret -> 403),
  including the seed signature of an aws-chunked upload.
Ends with a line "N passed, N failed"; exits 1 if any failed.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import boto3
from botocore.config import Config

REGION = "us-east-1"
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else f': {detail}'}", flush=True)


def http(method, url, headers=None, body=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- a small SigV4 signer for S3 requests with aws-chunked bodies (botocore cannot build those) ---

def sha256(data):
    return hashlib.sha256(data).hexdigest()


def hmac256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sign_s3(method, url, headers, payload_hash, key_id, secret):
    """Returns (headers with Authorization, signing key, amz date, scope, signature)."""
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    parts = urllib.parse.urlsplit(url)
    headers = {**headers, "host": parts.netloc, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    names = sorted(name.lower() for name in headers)
    values = {name.lower(): str(value).strip() for name, value in headers.items()}
    canonical = "\n".join([method, parts.path, parts.query, "".join(f"{n}:{values[n]}\n" for n in names),
                           ";".join(names), payload_hash])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, sha256(canonical.encode())])
    key = hmac256(hmac256(hmac256(hmac256(f"AWS4{secret}".encode(), amz_date[:8]), REGION), "s3"), "aws4_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")
    del headers["host"]
    return headers, key, amz_date, scope, signature


def chunked_body(data, mode, key=None, amz_date=None, scope=None, seed=None, trailer=None, size=65536):
    signed = mode.startswith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    body, previous = b"", seed
    for offset in list(range(0, len(data), size)) + [len(data)]:
        chunk = data[offset:offset + size] if offset < len(data) else b""
        if signed:
            string_to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, sha256(b""),
                                        sha256(chunk)])
            previous = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
            body += f"{len(chunk):x};chunk-signature={previous}\r\n".encode()
        else:
            body += f"{len(chunk):x}\r\n".encode()
        if chunk:
            body += chunk + b"\r\n"
    if trailer:
        body += f"{trailer[0]}:{trailer[1]}\r\n".encode()
        if signed:
            string_to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                                        sha256(f"{trailer[0]}:{trailer[1]}\n".encode())])
            signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
            body += f"x-amz-trailer-signature:{signature}\r\n".encode()
    return body + b"\r\n"


def chunked_put(url, data, mode, key_id, secret, crc_of=None):
    """PUTs DATA to URL as aws-chunked in MODE; returns (status, body)."""
    trailer = None
    headers = {"content-encoding": "aws-chunked", "content-type": "application/octet-stream",
               "x-amz-decoded-content-length": str(len(data))}
    if mode.endswith("-TRAILER"):
        crc = base64.b64encode(zlib.crc32(data if crc_of is None else crc_of).to_bytes(4, "big")).decode()
        trailer = ("x-amz-checksum-crc32", crc)
        headers["x-amz-trailer"] = trailer[0]
    # the length does not depend on signature values, so measure it with placeholders
    headers["content-length"] = str(len(chunked_body(data, mode, b"k", "d", "s", "0" * 64, trailer)))
    headers, key, amz_date, scope, seed = sign_s3("PUT", url, headers, mode, key_id, secret)
    body = chunked_body(data, mode, key, amz_date, scope, seed, trailer)
    assert len(body) == int(headers["content-length"])
    return http("PUT", url, headers, body)


MODES = ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
         "STREAMING-UNSIGNED-PAYLOAD-TRAILER"]


def localstack(endpoint):
    print(f"== LocalStack at {endpoint}")
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 2})
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    s3, sqs = session.client("s3", endpoint_url=endpoint, config=config), session.client("sqs", endpoint_url=endpoint)
    bucket = os.environ.get("VIDEOQUEUE_BUCKET") or "videoqueue"
    queue = sqs.get_queue_url(QueueName=os.environ.get("VIDEOQUEUE_QUEUE_NAME") or "videoqueue-jobs")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=os.environ.get("VIDEOQUEUE_DLQ_NAME") or "videoqueue-jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    check("queue VisibilityTimeout 60", attributes.get("VisibilityTimeout") == "60", attributes)
    check("queue ReceiveMessageWaitTimeSeconds 20", attributes.get("ReceiveMessageWaitTimeSeconds") == "20", attributes)
    policy = json.loads(attributes.get("RedrivePolicy", "{}"))
    check("queue RedrivePolicy -> DLQ after 5", policy.get("deadLetterTargetArn") == dlq_arn
          and str(policy.get("maxReceiveCount")) == "5", policy)

    # A poison message: received 5 times, then it is in the DLQ. Uses a temporary pair of queues so
    # the real ones keep whatever the developer has in them.
    suffix = str(os.getpid())
    tmp_dlq = sqs.create_queue(QueueName=f"selftest-dlq-{suffix}")["QueueUrl"]
    tmp_dlq_arn = sqs.get_queue_attributes(QueueUrl=tmp_dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    tmp_queue = sqs.create_queue(QueueName=f"selftest-{suffix}", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": tmp_dlq_arn, "maxReceiveCount": "5"})})["QueueUrl"]
    try:
        sqs.send_message(QueueUrl=tmp_queue, MessageBody="poison")
        receives = 0
        for _ in range(8):
            if sqs.receive_message(QueueUrl=tmp_queue, VisibilityTimeout=0, WaitTimeSeconds=1).get("Messages"):
                receives += 1
        moved = sqs.receive_message(QueueUrl=tmp_dlq, WaitTimeSeconds=2).get("Messages", [])
        check("poison message: 5 receives, then in the DLQ",
              receives == 5 and [m["Body"] for m in moved] == ["poison"], (receives, moved))
    finally:
        sqs.delete_queue(QueueUrl=tmp_queue)
        sqs.delete_queue(QueueUrl=tmp_dlq)

    key = f"selftest/presign-{suffix}.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"presigned", ContentType="text/plain")
    try:
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
        check("presigned GET -> 200", http("GET", url) == (200, b"presigned"), http("GET", url))
        tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
        status, body = http("GET", tampered)
        check("presigned GET, tampered signature -> 403 SignatureDoesNotMatch",
              status == 403 and b"SignatureDoesNotMatch" in body, (status, body[:200]))
        short = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1)
        time.sleep(2.1)
        status, body = http("GET", short)
        check("presigned GET, expired -> 403", status == 403, (status, body[:200]))

        data = os.urandom(150_000)
        for mode in MODES:
            object_url = f"{endpoint}/{bucket}/selftest/chunked-{suffix}"
            status, body = chunked_put(object_url, data, mode, "test", "test")
            stored = s3.get_object(Bucket=bucket, Key=f"selftest/chunked-{suffix}")["Body"].read()
            check(f"aws-chunked {mode} PUT -> 200, decoded", status == 200 and stored == data,
                  (status, body[:200], len(stored)))
            if mode.endswith("-TRAILER"):
                status, body = chunked_put(object_url + "-bad", data, mode, "test", "test", crc_of=b"other")
                check(f"aws-chunked {mode} with a wrong CRC32 -> 400 BadDigest",
                      status == 400 and b"BadDigest" in body, (status, body[:200]))
            s3.delete_object(Bucket=bucket, Key=f"selftest/chunked-{suffix}")
    finally:
        s3.delete_object(Bucket=bucket, Key=key)


def moto(credentials_file):
    values = {}
    with open(credentials_file) as handle:
        for line in handle:
            name, _, value = line.strip().partition("=")
            values[name] = value.strip("'")
    endpoint, key_id, secret = values["MOTO_ENDPOINT_URL"], values["MOTO_ACCESS_KEY_ID"], values["MOTO_SECRET_ACCESS_KEY"]
    print(f"== moto at {endpoint}")
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key_id,
                      aws_secret_access_key=secret, config=Config(s3={"addressing_style": "path"}))
    bucket = f"selftest-{os.getpid()}"
    s3.create_bucket(Bucket=bucket)
    try:
        status, _ = http("GET", f"{endpoint}/{bucket}")  # unsigned: moto answers 500 (KeyError), not 403
        check("moto: unsigned request refused", status >= 400, status)
        data = os.urandom(100_000)
        for mode in MODES:
            url = f"{endpoint}/{bucket}/chunked"
            status, body = chunked_put(url, data, mode, key_id, secret)
            stored = s3.get_object(Bucket=bucket, Key="chunked")["Body"].read()
            check(f"moto: aws-chunked {mode} -> 200, decoded", status == 200 and stored == data, (status, body[:200]))
            status, body = chunked_put(url + "-bad", data, mode, key_id, secret + "x")
            check(f"moto: aws-chunked {mode}, wrong secret -> 403 SignatureDoesNotMatch",
                  status == 403 and b"SignatureDoesNotMatch" in body, (status, body[:200]))
    finally:
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)


def main():
    localstack(os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566")
    credentials = sys.argv[1] if len(sys.argv) > 1 else ""
    if credentials and os.path.exists(credentials):
        moto(credentials)
    else:
        print("== moto: not running (no credentials file), skipped")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
