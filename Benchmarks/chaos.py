#!/usr/bin/env python3
"""A chaos run of the whole system on LocalStack, through the built binaries.

N videos are uploaded to a producer; K consumers process them while
- a fault proxy cuts the consumers off from SQS and S3: from before they start (--startup-outage seconds) and
  once more mid-run (--outage seconds);
- some messages are sent twice (--duplicates);
- consumers are SIGKILLed and SIGTERMed at random (every --kill-every seconds) and restarted by a supervisor
  that behaves like systemd's Restart=on-failure: restart --restart-delay seconds after an unexpected exit,
  give up after 10 starts in 5 minutes. A consumer we SIGTERM must drain and exit 0, which systemd does not
  restart; the supervisor starts it again at once (as a deploy would).

It passes when: every video completes exactly once ("job completed" logged once per video) with outputs; no
FFmpeg run is stopped because another consumer took its message (reason lostMessage); no consumer exits unless
killed (or exits non-zero after a SIGTERM); no video fails; the supervisor never gives up; the queue and the
DLQ end empty. It prints the figures as one JSON line and exits 1 on a failed check.

  Benchmarks/chaos.py --binaries .build/debug --videos 6 --consumers 3 --startup-outage 20 --outage 10
"""
import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, deque

import boto3


class FaultProxy:
    """A TCP proxy on 127.0.0.1 to the emulator; while off it closes every connection (open ones too)."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.on = False
        self.writers = set()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _handle(self, reader, writer):
        if not self.on:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                sink.close()
                self.writers.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def switch(self, on):
        def apply():
            self.on = on
            if not on:
                for writer in list(self.writers):
                    writer.transport.abort()
                self.writers.clear()
        self.loop.call_soon_threadsafe(apply)


class Supervisor:
    """Starts consumer instances and restarts them the way Restart=on-failure, RestartSec and StartLimitBurst do."""

    def __init__(self, binary, environment, directory, restart_delay):
        self.binary, self.environment, self.directory, self.restart_delay = binary, environment, directory, restart_delay
        self.processes = {}        # instance → Popen
        self.signalled = {}        # instance → the signal we sent, if any
        self.starts = {}           # instance → deque of start times
        self.restart_at = {}       # instance → when to start it again
        self.unexpected = []       # (instance, status) of exits nobody asked for
        self.gave_up = []
        self.kills = Counter()
        self.logs = []

    def start(self, instance):
        starts = self.starts.setdefault(instance, deque())
        now = time.monotonic()
        while starts and now - starts[0] > 300:
            starts.popleft()
        if len(starts) >= 10:
            self.gave_up.append(instance)
            return
        starts.append(now)
        environment = dict(self.environment, VIDEOQUEUE_SCRATCH_DIR=os.path.join(self.directory, f"scratch-{instance}"))
        log = os.path.join(self.directory, f"consumer-{instance}-{len(self.logs)}.log")
        self.logs.append(log)
        with open(log, "wb") as output:
            self.processes[instance] = subprocess.Popen([self.binary, "run"], env=environment, stdout=output,
                                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.signalled[instance] = None

    def kill(self, instance, sig):
        process = self.processes.get(instance)
        if process and process.poll() is None:
            self.signalled[instance] = sig
            self.kills[signal.Signals(sig).name] += 1
            process.send_signal(sig)

    def tick(self):
        now = time.monotonic()
        for instance, process in list(self.processes.items()):
            status = process.poll()
            if status is None:
                continue
            sent = self.signalled.get(instance)
            del self.processes[instance]
            if sent == signal.SIGTERM and status == 0:
                self.restart_at[instance] = now                      # a drain: started again at once, like a deploy
            elif sent == signal.SIGKILL:
                self.restart_at[instance] = now + self.restart_delay  # Restart=on-failure after RestartSec
            else:
                self.unexpected.append((instance, status, sent and signal.Signals(sent).name))
                self.restart_at[instance] = now + self.restart_delay
        for instance, when in list(self.restart_at.items()):
            if when <= now:
                del self.restart_at[instance]
                self.start(instance)

    def running(self):
        return [instance for instance, process in self.processes.items() if process.poll() is None]

    def stop_all(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def http(method, url, key, data=None, content_type=None):
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"Bearer {key}"})
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binaries", required=True, help="directory with producer and consumer")
    parser.add_argument("--endpoint", default=f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', '4566')}")
    parser.add_argument("--videos", type=int, default=6)
    parser.add_argument("--consumers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4, help="length of each test video")
    parser.add_argument("--jobs", default="transcode,thumbnails")
    parser.add_argument("--duplicates", type=int, default=2, help="messages sent twice")
    parser.add_argument("--startup-outage", type=float, default=20)
    parser.add_argument("--outage", type=float, default=10)
    parser.add_argument("--kill-every", type=float, default=6)
    parser.add_argument("--restart-delay", type=float, default=5)
    parser.add_argument("--visibility", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=600, help="give up waiting for the videos after this")
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="vq-chaos-")
    credentials = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    s3, sqs = session.client("s3", endpoint_url=arguments.endpoint), session.client("sqs", endpoint_url=arguments.endpoint)
    name = f"vq-chaos-{rng.randrange(1 << 30)}"
    s3.create_bucket(Bucket=name)
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName=name, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})})["QueueUrl"]

    base = dict(os.environ, **credentials, AWS_ENDPOINT_URL=arguments.endpoint, DATABASE_URL=os.path.join(work, "videos.sqlite"),
                VIDEOQUEUE_BUCKET=name, VIDEOQUEUE_QUEUE_URL=queue_url, LOG_LEVEL="info", AWS_EC2_METADATA_DISABLED="true")
    producer_binary, consumer_binary = os.path.join(arguments.binaries, "producer"), os.path.join(arguments.binaries, "consumer")
    key = subprocess.run([producer_binary, "keys", "create", "--owner", "chaos"], env=base, check=True,
                         capture_output=True, text=True).stdout.strip()
    port = 18190 + rng.randrange(500)
    producer_log = open(os.path.join(work, "producer.log"), "wb")
    producer = subprocess.Popen([producer_binary, "serve"], env=dict(base, VIDEOQUEUE_PORT=str(port), VIDEOQUEUE_UPLOADS_PER_MINUTE="0"),
                                stdout=producer_log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}"
    proxy = FaultProxy(int(arguments.endpoint.rsplit(":", 1)[1]))
    supervisor = None
    failures = []
    figures = {"seed": seed, "videos": arguments.videos, "consumers": arguments.consumers,
               "startup_outage_s": arguments.startup_outage, "outage_s": arguments.outage}
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{api}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        source = os.path.join(work, "source.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={arguments.seconds}",
                        "-f", "lavfi", "-i", f"sine=frequency=440:duration={arguments.seconds}", "-c:v", "libx264", "-preset",
                        "ultrafast", "-c:a", "aac", "-shortest", "-y", source], check=True)
        data = open(source, "rb").read()
        videos = [http("POST", f"{api}/v1/videos?title=chaos-{index}&jobs={arguments.jobs}", key, data, "video/mp4")["video"]["id"]
                  for index in range(arguments.videos)]

        # Two copies of some messages: wait for the outbox to send them, then send copies of a few.
        deadline = time.monotonic() + 60
        seen = {}
        while len(seen) < min(arguments.duplicates, arguments.videos) and time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                               MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", []):
                seen.setdefault(message["MessageId"], message)
        for message in list(seen.values())[:arguments.duplicates]:
            copy = {"QueueUrl": queue_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                copy["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**copy)
        figures["duplicated"] = min(len(seen), arguments.duplicates)

        consumer_environment = dict(base, AWS_ENDPOINT_URL=f"http://127.0.0.1:{proxy.port}", VIDEOQUEUE_HEALTH_PORT="0",
                                    VIDEOQUEUE_CONCURRENCY="1", VIDEOQUEUE_FFMPEG_THREADS="1", VIDEOQUEUE_WAIT_TIME="2",
                                    VIDEOQUEUE_VISIBILITY_TIMEOUT=str(arguments.visibility), VIDEOQUEUE_DRAIN_TIMEOUT="3s",
                                    VIDEOQUEUE_SQS_CALL_TIMEOUT="5s", VIDEOQUEUE_DEPENDENCY_RETRY_MAX_DELAY="5s",
                                    VIDEOQUEUE_MAX_ATTEMPTS="5", VIDEOQUEUE_DLQ_CHECK_INTERVAL="10s", VIDEOQUEUE_DLQ_URL=dlq_url,
                                    VIDEOQUEUE_RETRY_BASE_DELAY="1", VIDEOQUEUE_RETRY_MAX_DELAY="5", VIDEOQUEUE_TERMINATION_CHECK_INTERVAL="0")
        supervisor = Supervisor(consumer_binary, consumer_environment, work, arguments.restart_delay)
        started = time.monotonic()
        # The proxy starts switched off: the outage begins before the consumers start.
        for instance in range(1, arguments.consumers + 1):
            supervisor.start(instance)
        back_at = started + arguments.startup_outage
        cut_at = back_at + max(2 * arguments.outage, 10)         # the second outage, mid-run
        back_again_at = cut_at + arguments.outage
        phase = "startup outage"
        next_kill = started + arguments.kill_every
        done = set()
        while time.monotonic() - started < arguments.timeout:
            now = time.monotonic()
            supervisor.tick()
            if phase == "startup outage" and now >= back_at:
                proxy.switch(True)
                phase = "running"
            elif phase == "running" and now >= cut_at and arguments.outage > 0:
                proxy.switch(False)
                phase = "outage"
            elif phase == "outage" and now >= back_again_at:
                proxy.switch(True)
                phase = "after"
            if now >= next_kill and len(done) < len(videos):
                running = supervisor.running()
                if running:
                    supervisor.kill(rng.choice(running), rng.choice([signal.SIGKILL, signal.SIGTERM]))
                next_kill = now + arguments.kill_every
            done = {video for video in videos
                    if http("GET", f"{api}/v1/videos/{video}", key)["video"]["status"] in ("completed", "failed", "cancelled")}
            if len(done) == len(videos) and (phase == "after" or arguments.outage <= 0 and phase == "running"):
                break
            if supervisor.gave_up and not supervisor.running() and not supervisor.restart_at:
                break   # every instance given up: nothing will change (a failure, reported below)
            time.sleep(0.5)
        proxy.switch(True)
        figures["seconds"] = round(time.monotonic() - started, 1)
        figures["kills"] = dict(supervisor.kills)
        # Let the last deletions and dead-letter checks settle, then stop the consumers.
        settle = time.monotonic() + 30
        while time.monotonic() < settle:
            supervisor.tick()
            attributes = [sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                                  "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
                          for url in (queue_url, dlq_url)]
            if all(int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]) == 0 for a in attributes):
                break
            time.sleep(1)
        figures["queue_left"] = [int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]) for a in attributes]
        supervisor.stop_all()

        records = {video: http("GET", f"{api}/v1/videos/{video}", key)["video"] for video in videos}
        text = "".join(open(log, errors="replace").read() for log in supervisor.logs)
        lines = text.splitlines()
        completions = Counter(match.group(1) for line in lines if line.endswith("job completed")
                              for match in [re.search(r"video_id=([0-9a-f-]{36})", line)] if match)
        figures["completions"] = sum(completions.values())
        figures["lost_message_stops"] = sum(1 for line in lines if "stopping the job" in line and "reason=lostMessage" in line)
        figures["starts"] = len(supervisor.logs)
        for video, record in records.items():
            if record["status"] != "completed" or not record.get("outputs"):
                failures.append(f"video {video} ended {record['status']} with {len(record.get('outputs') or [])} outputs "
                                f"({record.get('failure') or record.get('error')})")
            if completions[video.lower()] != 1:
                failures.append(f"video {video} completed {completions[video.lower()]} times")
        if figures["lost_message_stops"]:
            failures.append(f"{figures['lost_message_stops']} FFmpeg runs were stopped because their message was taken")
        if supervisor.unexpected:
            failures.append(f"consumers exited without being killed: {supervisor.unexpected}")
        if supervisor.gave_up:
            failures.append(f"the supervisor gave up on instances {supervisor.gave_up}")
        if any(figures["queue_left"]):
            failures.append(f"messages left (queue, DLQ): {figures['queue_left']}")
    finally:
        if supervisor:
            supervisor.stop_all()
        producer.send_signal(signal.SIGTERM)
        producer.wait(timeout=60)
        for url in (queue_url, dlq_url):
            sqs.delete_queue(QueueUrl=url)
        bucket = session.resource("s3", endpoint_url=arguments.endpoint).Bucket(name)
        bucket.objects.all().delete()
        bucket.delete()
    figures["failures"] = failures
    print(json.dumps(figures))
    if failures:
        print(f"chaos: FAILED (logs in {work})", file=sys.stderr)
        sys.exit(1)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
