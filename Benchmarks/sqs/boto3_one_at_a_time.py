#!/usr/bin/env python3
"""The seed systems' SQS loop, for comparison: send one, then receive one / process / delete one.

Usage: python3 boto3_one_at_a_time.py ENDPOINT [messages]
Prints JSON: messages, seconds, messages_per_second.
"""
import json
import sys
import time
import uuid

import boto3

endpoint = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
queue = sqs.create_queue(QueueName="vq-bench-boto3-" + uuid.uuid4().hex[:8],
                         Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
body = "x" * 200
start = time.perf_counter()
for i in range(total):
    sqs.send_message(QueueUrl=queue, MessageBody=f"{i} {body}")
done = 0
while done < total:
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        break
    for message in messages:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        done += 1
elapsed = time.perf_counter() - start
sqs.delete_queue(QueueUrl=queue)
print(json.dumps({"messages": total, "received_and_deleted": done, "seconds": elapsed,
                  "messages_per_second": done / elapsed}))
