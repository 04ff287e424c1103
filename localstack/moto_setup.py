"""Runs right after moto_server starts with INITIAL_NO_AUTH_ACTION_COUNT=3 (see moto-start).

Spends the 3 unauthenticated requests on: iam CreateUser, iam PutUserPolicy (inline: s3:* and sqs:* on *),
iam CreateAccessKey. Then proves that authentication is on: S3 and SQS requests signed with a wrong
secret or an unknown key must get 403, and ones signed with the new key must succeed; IAM with the new
key must be AccessDenied (the policy does not allow iam:*), which shows actions are authorised as well.
(Unsigned requests are not checked here: moto answers them 500, a KeyError on the Authorization header.)
Writes MOTO_ENDPOINT_URL, MOTO_ACCESS_KEY_ID, MOTO_SECRET_ACCESS_KEY, MOTO_REGION (shell-quoted) to
the file given as the second argument.
Usage: python moto_setup.py ENDPOINT CREDENTIALS_FILE
"""

import json
import os
import re
import shlex
import sys
import urllib.error
import urllib.request

import boto3
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

UNAUTHENTICATED_REQUESTS = 3  # must equal INITIAL_NO_AUTH_ACTION_COUNT in moto-start
USER = "videoqueue-test"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}],
}
REGION = "us-east-1"
CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30, s3={"addressing_style": "path"})


def client(service, endpoint, key, secret):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=CONFIG,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def signed_call(endpoint, service, key, secret):
    """Sends one read-only request for SERVICE signed by botocore with KEY/SECRET; returns (status, code).

    Raw HTTP rather than a boto3 client because moto answers an SQS JSON-protocol request that fails
    authentication with an XML error body, which boto3's JSON parser reports only as code "403".
    """
    if service == "s3":  # ListBuckets
        request = AWSRequest(method="GET", url=f"{endpoint}/", headers={})
        auth = S3SigV4Auth(Credentials(key, secret), "s3", REGION)
    elif service == "sqs":  # ListQueues, JSON protocol
        request = AWSRequest(method="POST", url=f"{endpoint}/", data=b"{}", headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"})
        auth = SigV4Auth(Credentials(key, secret), "sqs", REGION)
    else:  # iam ListUsers, query protocol
        request = AWSRequest(method="POST", url=f"{endpoint}/", data=b"Action=ListUsers&Version=2010-05-08",
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        auth = SigV4Auth(Credentials(key, secret), "iam", REGION)
    auth.add_auth(request)
    prepared = request.prepare()
    raw = urllib.request.Request(prepared.url, data=prepared.body or None, method=prepared.method,
                                 headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(raw, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        body = error.read()
        match = re.search(rb"<Code>([^<]*)</Code>", body) or re.search(rb'"__type"\s*:\s*"([^"]*)"', body)
        return error.code, match.group(1).decode().split("#")[-1] if match else ""


def expect(endpoint, what, service, key, secret, status, code=""):
    got_status, got_code = signed_call(endpoint, service, key, secret)
    if (got_status, got_code) != (status, code):
        sys.exit(f"error: auth check failed: {what}: expected {status} {code}, got {got_status} {got_code}"
                 + ("\n(moto is not enforcing authentication)" if got_status == 200 else ""))
    print(f"==> auth check: {what}: {got_status} {got_code}".rstrip(), file=sys.stderr)


def main(endpoint, credentials_file):
    # The unauthenticated budget: exactly UNAUTHENTICATED_REQUESTS requests, signed with dummy keys.
    iam = client("iam", endpoint, "bootstrap", "bootstrap")
    try:
        iam.create_user(UserName=USER)                                              # 1
        iam.put_user_policy(UserName=USER, PolicyName="videoqueue-s3-sqs",
                            PolicyDocument=json.dumps(POLICY))                      # 2
        key = iam.create_access_key(UserName=USER)["AccessKey"]                     # 3
    except (BotoCoreError, ClientError) as error:
        sys.exit(f"error: creating the IAM user through the {UNAUTHENTICATED_REQUESTS} unauthenticated "
                 f"requests failed (was moto started with INITIAL_NO_AUTH_ACTION_COUNT="
                 f"{UNAUTHENTICATED_REQUESTS}, and freshly?): {error}")
    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]

    # Authentication must be on from here: a wrong secret, an unknown key, then the real key.
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    expect(endpoint, "S3 ListBuckets signed with a wrong secret", "s3", key_id, wrong, 403, "SignatureDoesNotMatch")
    expect(endpoint, "SQS ListQueues signed with a wrong secret", "sqs", key_id, wrong, 403, "SignatureDoesNotMatch")
    expect(endpoint, "SQS ListQueues with an unknown access key", "sqs", "AKIAUNKNOWNUNKNOWN00", secret,
           403, "InvalidClientTokenId")
    expect(endpoint, "S3 ListBuckets signed with the new key", "s3", key_id, secret, 200)
    expect(endpoint, "SQS ListQueues signed with the new key", "sqs", key_id, secret, 200)
    expect(endpoint, "IAM ListUsers signed with the new key (not in its policy)", "iam", key_id, secret,
           403, "AccessDenied")

    values = {
        "MOTO_ENDPOINT_URL": endpoint,
        "MOTO_ACCESS_KEY_ID": key_id,
        "MOTO_SECRET_ACCESS_KEY": secret,
        "MOTO_REGION": REGION,
    }
    temporary = f"{credentials_file}.tmp"
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write("".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items()))
    os.replace(temporary, credentials_file)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
