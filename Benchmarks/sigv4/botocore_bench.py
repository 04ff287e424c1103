#!/usr/bin/env python3
"""Time botocore's SigV4 signing per request (microseconds per operation).

Usage:
    python3 botocore_bench.py [--iterations N] [--repeats R] [--show-requests]

Prints one JSON object to stdout:
    {"sqs_send_message_header_us": x, "s3_presign_get_us": y}
Each figure is the median over R repeats of (total add_auth time of N signings
/ N), measured with time.perf_counter_ns.  Only add_auth is timed: the fresh
AWSRequest objects (headers copied, body attached) are built before the timed
loop, in chunks of 1000, and garbage collection is disabled while timing (as
timeit does).  botocore.auth.get_current_datetime is replaced by a function
returning a constant, so the clock read is slightly cheaper than in real use.

--show-requests prints the exact requests and the signatures botocore produces
for them (JSON) instead of timing, so a Swift benchmark can check that it signs
byte-identical requests.

Request shapes (reproduce these exactly in the Swift benchmark)
---------------------------------------------------------------
Common:
  access key id      ASIAIOSFODNN7EXAMPLE
  secret access key  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  session token      SESSION_TOKEN below: 400 ASCII chars, base64 alphabet,
                     contains '/', '+' and ends in '=='
  region             us-east-1
  timestamp          20261115T120000Z (fixed)

(a) sqs_send_message_header_us -- SigV4Auth, service "sqs", header form
  POST https://sqs.us-east-1.amazonaws.com/      (path "/", no query)
  request headers, in this order (Host is not set; signer derives it):
      Content-Type: application/x-amz-json-1.0
      X-Amz-Target: AmazonSQS.SendMessage
  body: SQS_BODY below, exactly 1024 bytes of ASCII JSON (no trailing
      newline), Python json.dumps default separators ", " and ": ":
      {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/
      videoqueue-transcode-jobs", "MessageBody": "<job JSON, escaped>"}
      where the MessageBody string is json.dumps(job) of the dict in
      _build_sqs_body() with "pad" = 248 'x' characters: 839 characters
      unescaped, 915 bytes escaped on the wire.  `--show-requests` prints the
      body verbatim.
      sha256 = f8946a58e5341cdfb6b8da8cc33ebe29149c4c7dcf5e0b7e55251773e04d54fa
  botocore adds X-Amz-Date, X-Amz-Security-Token, Authorization;
  SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target
  (no X-Amz-Content-SHA256 header for SQS; the body hash is computed and
  used in the canonical request on every signing).
  Signature = c69867f86fbcd316fdf7aeb882cc41d872f50493997fc26d7ac452ece8cea82b

(b) s3_presign_get_us -- S3SigV4QueryAuth, service "s3", expires 3600
  GET https://examplebucket.s3.amazonaws.com/videos/2026/11/some%20key%20with%20spaces.mp4
  no request headers, no body, no query; canonical payload UNSIGNED-PAYLOAD;
  X-Amz-SignedHeaders=host; the token goes into the signed query as
  X-Amz-Security-Token (percent-encoded: '/'->%2F, '+'->%2B, '='->%3D).
  Signature = f0c8a8b5fb18d8d913d8ad14a2ac37c5b4a054fff3333cb31f75c42a8cb3d2a9

(The two hashes/signatures above are verified by the script on every run; it
exits with an error if botocore produces something else.)
"""

import argparse
import gc
import hashlib
import json
import statistics
import sys
import time
import datetime

import botocore.auth
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY_ID = 'ASIAIOSFODNN7EXAMPLE'
SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
SESSION_TOKEN = (
    'IQoJb3JpZ2luX2VjfIUryZn+sLyDKZ+cCKluXGTV3XUfxUz7gRlN3LtlJQo4v9ir6j5j8oGL'
    'sgp9HQDT5nAZXJwClzrDM3CBeXVCw/qN0LnGm/oMUpW1unuVpb3JEANlbGyij4RaknIuAnko'
    'Zb0h9mtWDQDoYE2awWOJqJeniZ0HjmOUqnjVBMF6QLC/bw1JpzWV0O3NMZqxHqJbGK1FN16C'
    'B+hTAH2Edif+2vPGmgnp56woUVXzQN5dI2X4MCXgnqGAfuZw0o5gxfu68T2Dr9AQx74/rIgS'
    'OPVLkZLwsTRygdVDb2S003D1caRH4quHwVzILKNS/4uDnxj4e/p5wBp3B+4wUSUW8x8Uk6+a'
    'H7dVNF94KBfjzTuQHh2mkyyy4Og1KoNePcd1sg=='
)
REGION = 'us-east-1'
TIMESTAMP = '20261115T120000Z'

SQS_URL = 'https://sqs.us-east-1.amazonaws.com/'
SQS_HEADERS = [
    ('Content-Type', 'application/x-amz-json-1.0'),
    ('X-Amz-Target', 'AmazonSQS.SendMessage'),
]
QUEUE_URL = ('https://sqs.us-east-1.amazonaws.com/123456789012/'
             'videoqueue-transcode-jobs')


def _build_sqs_body(size=1024):
    job = {
        'jobId': '5d0c6a52-8f3e-4c1b-9a57-2f6e0d4b7c19',
        'videoId': 'vid_01HZX9Q4T7K2M8N3P5R6S8V0W2',
        'source': {'bucket': 'examplebucket',
                   'key': 'videos/2026/11/some key with spaces.mp4',
                   'sizeBytes': 734003200},
        'renditions': [
            {'name': '1080p', 'width': 1920, 'height': 1080,
             'bitrateKbps': 6000, 'codec': 'h264'},
            {'name': '720p', 'width': 1280, 'height': 720,
             'bitrateKbps': 3000, 'codec': 'h264'},
            {'name': '480p', 'width': 854, 'height': 480,
             'bitrateKbps': 1200, 'codec': 'h264'},
        ],
        'callbackUrl': 'https://api.example.com/v1/jobs/callback',
        'submittedAt': '2026-11-15T12:00:00Z',
        'pad': '',
    }

    def render(pad_len):
        job['pad'] = 'x' * pad_len
        inner = json.dumps(job)
        return json.dumps({'QueueUrl': QUEUE_URL,
                           'MessageBody': inner}).encode('ascii')

    base = len(render(0))
    if base > size:
        raise SystemExit('SQS body template exceeds %d bytes' % size)
    body = render(size - base)  # 'x' needs no escaping: 1 byte per char
    assert len(body) == size
    return body


SQS_BODY = _build_sqs_body()
S3_URL = ('https://examplebucket.s3.amazonaws.com/videos/2026/11/'
          'some%20key%20with%20spaces.mp4')
S3_EXPIRES = 3600

# Expected values (also quoted in the module docstring).
EXPECTED_SQS_BODY_SHA256 = (
    'f8946a58e5341cdfb6b8da8cc33ebe29149c4c7dcf5e0b7e55251773e04d54fa')
EXPECTED_SQS_SIGNATURE = (
    'c69867f86fbcd316fdf7aeb882cc41d872f50493997fc26d7ac452ece8cea82b')
EXPECTED_S3_SIGNATURE = (
    'f0c8a8b5fb18d8d913d8ad14a2ac37c5b4a054fff3333cb31f75c42a8cb3d2a9')

_FIXED_NOW = datetime.datetime.strptime(TIMESTAMP, '%Y%m%dT%H%M%SZ')


def _fixed_now(remove_tzinfo=True):
    if remove_tzinfo:
        return _FIXED_NOW
    return _FIXED_NOW.replace(tzinfo=datetime.timezone.utc)


botocore.auth.get_current_datetime = _fixed_now

CREDS = Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)
SQS_SIGNER = SigV4Auth(CREDS, 'sqs', REGION)
S3_SIGNER = S3SigV4QueryAuth(CREDS, 's3', REGION, expires=S3_EXPIRES)


def make_sqs_request():
    req = AWSRequest(method='POST', url=SQS_URL, data=SQS_BODY)
    for name, value in SQS_HEADERS:
        req.headers[name] = value
    return req


def make_s3_request():
    return AWSRequest(method='GET', url=S3_URL)


def time_add_auth(signer, factory, iterations, chunk=1000):
    """Total ns spent in signer.add_auth over `iterations` fresh requests."""
    total = 0
    done = 0
    add_auth = signer.add_auth
    perf = time.perf_counter_ns
    while done < iterations:
        n = min(chunk, iterations - done)
        reqs = [factory() for _ in range(n)]
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            t0 = perf()
            for r in reqs:
                add_auth(r)
            total += perf() - t0
        finally:
            if gc_was_enabled:
                gc.enable()
        done += n
    return total


def bench(signer, factory, iterations, repeats):
    time_add_auth(signer, factory, min(iterations, 2000))  # warm-up
    per_op_us = []
    for _ in range(repeats):
        ns = time_add_auth(signer, factory, iterations)
        per_op_us.append(ns / iterations / 1000.0)
    return statistics.median(per_op_us), per_op_us


def signed_examples():
    sqs = make_sqs_request()
    SQS_SIGNER.add_auth(sqs)
    s3 = make_s3_request()
    S3_SIGNER.add_auth(s3)
    return sqs, s3


def verify():
    sqs, s3 = signed_examples()
    body_sha = hashlib.sha256(SQS_BODY).hexdigest()
    sqs_sig = sqs.headers['Authorization'].rsplit('Signature=', 1)[1]
    s3_sig = s3.url.rsplit('X-Amz-Signature=', 1)[1]
    for label, got, want in [
            ('SQS body sha256', body_sha, EXPECTED_SQS_BODY_SHA256),
            ('SQS signature', sqs_sig, EXPECTED_SQS_SIGNATURE),
            ('S3 presign signature', s3_sig, EXPECTED_S3_SIGNATURE)]:
        if want is not None and got != want:
            raise SystemExit('%s changed: got %s, expected %s'
                             % (label, got, want))
    return sqs, s3


def show_requests():
    sqs, s3 = verify()
    out = {
        'credentials': {'access_key_id': ACCESS_KEY_ID,
                        'secret_access_key': SECRET_ACCESS_KEY,
                        'session_token': SESSION_TOKEN,
                        'session_token_length': len(SESSION_TOKEN)},
        'region': REGION,
        'timestamp': TIMESTAMP,
        'sqs_send_message': {
            'signer': 'SigV4Auth', 'service': 'sqs',
            'method': 'POST', 'url': SQS_URL,
            'headers': [list(h) for h in SQS_HEADERS],
            'body': SQS_BODY.decode('ascii'),
            'body_length': len(SQS_BODY),
            'body_sha256': hashlib.sha256(SQS_BODY).hexdigest(),
            'headers_after_add_auth': [list(h) for h in
                                              sqs.headers.items()],
        },
        's3_presign_get': {
            'signer': 'S3SigV4QueryAuth', 'service': 's3',
            'method': 'GET', 'url': S3_URL, 'expires': S3_EXPIRES,
            'headers': [], 'body_length': 0,
            'presigned_url': s3.url,
        },
    }
    print(json.dumps(out, indent=2))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--iterations', type=int, default=20000)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--show-requests', action='store_true',
                    help='print the exact requests and signatures, no timing')
    ap.add_argument('--all-repeats', action='store_true',
                    help='also include every repeat\'s figure in the JSON')
    args = ap.parse_args(argv)
    if args.iterations < 1 or args.repeats < 1:
        ap.error('--iterations and --repeats must be >= 1')

    if args.show_requests:
        show_requests()
        return 0
    verify()
    sqs_med, sqs_all = bench(SQS_SIGNER, make_sqs_request, args.iterations,
                             args.repeats)
    s3_med, s3_all = bench(S3_SIGNER, make_s3_request, args.iterations,
                           args.repeats)
    result = {
        'sqs_send_message_header_us': round(sqs_med, 3),
        's3_presign_get_us': round(s3_med, 3),
    }
    if args.all_repeats:
        result['sqs_send_message_header_us_repeats'] = [
            round(x, 3) for x in sqs_all]
        result['s3_presign_get_us_repeats'] = [round(x, 3) for x in s3_all]
        result['iterations'] = args.iterations
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
