"""The consumer's benchmarks, against LocalStack (run by Benchmarks/consumer.sh, which builds and sets the env):

1. pipeline overhead: a 10 s 720p transcode through producer + consumer vs the same FFmpeg command run bare;
2. queue overhead: no-op messages per second for one consumer vs a boto3 worker written like the seed systems
   (receive one, process, delete one) — the no-op is a message whose record does not exist (decode, look up,
   delete);
3. idle cost of a consumer on an empty queue: CPU % and RSS over a window;
4. latency from upload accepted (record created) to processing started, p50 and p95.

    bench.py BIN_DIR [--idle-seconds 60] [--messages 1000] [--uploads 20] [--parts idle,pipeline,noop,latency] [--rounds 5]
                     [--keep DIR]   (--keep: copy the consumers' logs there)
"""
import argparse, json, os, re, shlex, shutil, statistics, subprocess, sys, tempfile, time, urllib.request, uuid
from datetime import datetime

import boto3

parser = argparse.ArgumentParser()
parser.add_argument("bin")
parser.add_argument("--idle-seconds", type=int, default=60)
parser.add_argument("--messages", type=int, default=1000)
parser.add_argument("--uploads", type=int, default=20)
parser.add_argument("--parts", default="idle,pipeline,noop,latency", help="which measurements to run, comma-separated")
parser.add_argument("--keep", help="copy the consumers' logs into this directory")
parser.add_argument("--rounds", type=int, default=5, help="pipeline rounds (consumer, then bare FFmpeg, alternating)")
args = parser.parse_args()
parts = set(args.parts.split(","))

endpoint = os.environ["AWS_ENDPOINT_URL"]
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
work = tempfile.mkdtemp(prefix="vq-consumer-bench-")
name = "vq-bench-" + uuid.uuid4().hex[:10]
bucket = name
s3.create_bucket(Bucket=bucket)
queue = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
processes = []
base_env = dict(os.environ, VIDEOQUEUE_BUCKET=bucket, VIDEOQUEUE_QUEUE_URL=queue, DATABASE_URL=f"{work}/videos.sqlite")


def start(binary, *argv, env=None, log=None, directory=None):
    handle = open(log or os.devnull, "w")
    process = subprocess.Popen([f"{directory or args.bin}/{binary}", *argv], env=dict(base_env, **(env or {})), stdout=handle, stderr=subprocess.STDOUT)
    processes.append(process)
    return process


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()


def api(path, key, method="GET", data=None, headers=None):
    request = urllib.request.Request("http://127.0.0.1:18090" + path, data=data, method=method,
                                     headers=dict({"Authorization": "Bearer " + key}, **(headers or {})))
    return json.load(urllib.request.urlopen(request))


def wait_for(predicate, timeout=300, interval=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("timed out")


def wait_until_finished(video_id, key, interval=0.02):
    """The video's record once it is completed or failed."""
    def finished():
        video = api(f"/v1/videos/{video_id}", key)["video"]
        return video if video["status"] in ("completed", "failed") else None
    return wait_for(finished, interval=interval)


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def cpu(pid):
    """CPU seconds (user + system) the process has used."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def messages_left():
    """Visible plus in-flight messages on the benchmark's queue."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


rows = []
try:
    key = subprocess.run([f"{args.bin}/producer", "keys", "create", "--owner", "bench"], env=base_env, check=True,
                         capture_output=True, text=True).stdout.strip()
    producer = start("producer", "serve", env={"VIDEOQUEUE_PORT": "18090", "LOG_LEVEL": "warning"}, log=f"{work}/producer.log")
    wait_for(lambda: subprocess.run(["curl", "-fsS", "http://127.0.0.1:18090/healthz"], capture_output=True).returncode == 0, 30)

    if "idle" in parts:
        # 3. Idle cost first, on the empty queue: once with the binary as the linker left it in the page cache, once
        # read from disk (its cached pages dropped first, as after a boot or scripts/install). Pages cached by a write
        # are large folios, and the kernel maps a whole folio around each page a process touches.
        def evict(path):
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)

        # A fresh copy, so that the first case does not depend on what happened to the build's own file.
        copy = f"{work}/bin"
        os.makedirs(copy)
        shutil.copy2(f"{args.bin}/consumer", f"{copy}/consumer")
        for label in ("just written (built or copied)", "read from disk (as after a boot or scripts/install)"):
            if label.startswith("read"):
                evict(f"{copy}/consumer")
            consumer = start("consumer", "run", env={"VIDEOQUEUE_HEALTH_PORT": "0", "LOG_LEVEL": "warning",
                                                     "VIDEOQUEUE_SCRATCH_DIR": f"{work}/scratch-idle"}, directory=copy)
            time.sleep(5)  # start-up and the first long poll
            before, started = cpu(consumer.pid), time.time()
            time.sleep(args.idle_seconds)
            used, elapsed = cpu(consumer.pid) - before, time.time() - started
            status = open(f"/proc/{consumer.pid}/status").read()
            rss, anonymous = (int(re.search(rf"{field}:\s+(\d+)", status).group(1)) / 1024 for field in ("VmRSS", "RssAnon"))
            rows.append((f"idle consumer, empty queue, binary {label}: CPU", f"{100 * used / elapsed:.2f} % over {elapsed:.0f} s", "≤ 0.5 %"))
            rows.append((f"… RSS", f"{rss:.1f} MiB ({anonymous:.1f} MiB anonymous)", "≤ 30 MiB"))
            stop(consumer)

    if "pipeline" in parts:
        # 1. Pipeline overhead: one 10 s 720p transcode.
        source = f"{work}/source.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi",
                        "-i", "sine=frequency=440", "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                        "-shortest", source], check=True)
        # Rounds alternate the consumer and the bare command (medians reported), so a slower moment of the machine
        # does not land on one side only.
        log = f"{work}/consumer-pipeline.log"
        consumer = start("consumer", "run", env={"VIDEOQUEUE_HEALTH_PORT": "18091", "LOG_LEVEL": "debug", "VIDEOQUEUE_CONCURRENCY": "1",
                                                 "VIDEOQUEUE_SCRATCH_DIR": f"{work}/scratch"}, log=log)
        throughs, bares, arguments = [], [], None
        bare = f"{work}/bare"
        time.sleep(1)  # start-up
        consumer_cpu = cpu(consumer.pid)
        for _ in range(args.rounds):
            with open(source, "rb") as body:
                created = api("/v1/videos?jobs=transcode&title=pipeline", key, "POST", body.read(), {"Content-Type": "video/mp4"})
            video_id = created["video"]["id"]
            # Polled slowly: the times come from the record, and a fast poll would take CPU from FFmpeg here only.
            video = wait_until_finished(video_id, key, interval=0.5)
            assert video["status"] == "completed", video
            throughs.append(parse_time(video["finishedAt"]) - parse_time(video["startedAt"]))
            if arguments is None:
                line = next(l for l in open(log) if "arguments=" in l and "ffmpeg" in l and "-filter_complex" in l or ("arguments=" in l and "libx264" in l))
                # The logged value runs up to the next metadata key (swift-log prints them sorted: attempt=, message_id=, …).
                logged = re.split(r" (?:attempt|message_id|video_id)=", line.split("arguments=", 1)[1])[0]
                arguments = shlex.split(logged.strip())
                os.makedirs(bare, exist_ok=True)
                shutil.copy(source, f"{bare}/source")
                arguments[arguments.index("-i") + 1] = f"{bare}/source"
                for argument in arguments:
                    if not argument.startswith("-") and "/" in argument and not argument.startswith("/") and argument.endswith((".mp4", ".m3u8", ".jpg")):
                        os.makedirs(os.path.join(bare, os.path.dirname(argument)), exist_ok=True)
            start_time = time.time()
            subprocess.run(arguments if arguments[0].endswith("ffmpeg") else ["ffmpeg", *arguments], check=True, stdout=subprocess.DEVNULL, cwd=bare)
            bares.append(time.time() - start_time)
        consumer_cpu = (cpu(consumer.pid) - consumer_cpu) / args.rounds
        stages = {}
        for metric in urllib.request.urlopen("http://127.0.0.1:18091/metrics").read().decode().splitlines():
            found = re.match(r'videoqueue_consumer_stage_duration_seconds_sum\{stage="(\w+)"\} ([0-9.e+-]+)', metric)
            if found:
                stages[found.group(1)] = float(found.group(2)) / args.rounds
        stop(consumer)
        through, bare_seconds = statistics.median(throughs), statistics.median(bares)
        rows.append((f"10 s 720p transcode, bare FFmpeg (same arguments), median (best) of {args.rounds}",
                     f"{bare_seconds:.2f} s ({min(bares):.2f} s)", "rounds: " + ", ".join(f"{b:.2f}" for b in bares)))
        rows.append(("… through the consumer (claim → completed: download, probe, encode, upload, record)",
                     f"{through:.2f} s ({min(throughs):.2f} s)",
                     f"{through / bare_seconds:.3f}× ({min(throughs) / min(bares):.3f}× best to best; goal ≤ 1.05×); rounds: "
                     + ", ".join(f"{t:.2f}" for t in throughs)))
        if stages:
            rows.append(("… its stages (mean per round)", ", ".join(f"{name} {seconds:.3f} s" for name, seconds in stages.items()),
                         f"the consumer's own CPU: {consumer_cpu:.3f} s per video"))

    if "noop" in parts:
        # 2. Queue overhead: no-op messages (records that do not exist: decode, look up, delete).
        def fill(count):
            entries = [{"Id": str(i), "MessageBody": json.dumps({"version": 1, "video": {
                "id": str(uuid.uuid4()).upper(), "owner": "bench", "title": "noop", "originalFilename": "n.mp4", "sourceBucket": bucket,
                "sourceKey": "sources/none", "size": 1, "contentType": "video/mp4", "jobs": ["transcode"], "status": "queued",
                "progress": 0, "attempts": 0, "outputs": [], "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}})}
                for i in range(10)]
            for _ in range(count // 10):
                sqs.send_message_batch(QueueUrl=queue, Entries=entries)
            wait_for(lambda: int(sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]) >= count)
        # Both rates are given twice: over the whole run (the consumer's from its process start, so its start-up
        # counts against it; the boto3 loop's client is made before), and in the steady state, between 10 % and
        # 90 % of the messages done, which leaves start-up and the last stragglers out of both.
        low, high = int(args.messages * 0.1), int(args.messages * 0.9)
        fill(args.messages)
        consumer = start("consumer", "run", env={"VIDEOQUEUE_HEALTH_PORT": "0", "LOG_LEVEL": "warning", "VIDEOQUEUE_CONCURRENCY": "10",
                                                 "VIDEOQUEUE_SCRATCH_DIR": f"{work}/scratch-noop"})
        start_time = time.time()
        marks = {}
        while True:
            done = args.messages - messages_left()
            now = time.time()
            for mark in (low, high):
                if done >= mark and mark not in marks:
                    marks[mark] = now
            if done >= args.messages:
                break
            if now - start_time > 600:
                raise TimeoutError("the consumer did not drain the queue")
            time.sleep(0.05)
        ours = args.messages / (time.time() - start_time)
        ours_steady = (high - low) / (marks[high] - marks[low])
        stop(consumer)
        fill(args.messages)
        start_time = time.time()
        done = 0
        marks = {}
        while done < args.messages:  # the seed systems' loop: one message per receive, one delete per message
            for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", []):
                json.loads(message["Body"])
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                done += 1
                if done in (low, high):
                    marks[done] = time.time()
        theirs = args.messages / (time.time() - start_time)
        theirs_steady = (high - low) / (marks[high] - marks[low])
        rows.append((f"no-op messages/s, one consumer (concurrency 10), {args.messages} messages, steady state (10–90 %)",
                     f"{ours_steady:.0f}/s", f"{ours_steady / theirs_steady:.1f}× (goal ≥ 5×)"))
        rows.append(("… the same, whole run from the consumer's process start", f"{ours:.0f}/s", f"{ours / theirs:.1f}×"))
        rows.append(("no-op messages/s, boto3 receive-one/delete-one worker, steady state (whole run)",
                     f"{theirs_steady:.0f}/s ({theirs:.0f}/s)", ""))

    if "latency" in parts:
        # 4. Latency from upload accepted to processing started (two idle consumers, one small upload at a time).
        consumers = [start("consumer", "run", env={"VIDEOQUEUE_HEALTH_PORT": "0", "LOG_LEVEL": "warning", "VIDEOQUEUE_CONCURRENCY": "1",
                                                   "VIDEOQUEUE_SCRATCH_DIR": f"{work}/scratch-{n}"}) for n in range(2)]
        small = f"{work}/small.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "1",
                        "-pix_fmt", "yuv420p", small], check=True)
        payload = open(small, "rb").read()
        time.sleep(2)
        latencies = []
        for _ in range(args.uploads):
            video_id = api("/v1/videos?jobs=thumbnails&title=latency", key, "POST", payload, {"Content-Type": "video/mp4"})["video"]["id"]
            video = wait_until_finished(video_id, key)
            latencies.append(1000 * (parse_time(video["startedAt"]) - parse_time(video["createdAt"])))
        for consumer in consumers:
            stop(consumer)
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
        rows.append((f"upload accepted → processing started, {args.uploads} uploads", f"p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms",
                     "goal p50 ≤ 150 ms"))
finally:
    for process in processes:
        if process.poll() is None:
            process.kill()
    try:
        sqs.delete_queue(QueueUrl=queue)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)
    except Exception:
        pass
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for log in os.listdir(work):
            if log.endswith(".log"):
                shutil.copy(os.path.join(work, log), args.keep)
    shutil.rmtree(work, ignore_errors=True)

print("| measurement | result | vs goal / peer |")
print("|---|---|---|")
for row in rows:
    print("| " + " | ".join(row) + " |")
