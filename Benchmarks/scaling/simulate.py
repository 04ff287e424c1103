#!/usr/bin/env python3
"""Capacity simulation for VideoQueue at a given upload rate (default 10,000 videos per hour).

A discrete-event simulation of Poisson arrivals served by N consumer instances with C job slots each
(first come, first served, like one SQS queue), plus request-rate, cost and PostgreSQL arithmetic.
docs/scaling.md quotes its output; every assumption is a flag (see --help) and is printed.

    python3 Benchmarks/scaling/simulate.py                 # the plan's numbers
    python3 Benchmarks/scaling/simulate.py --videos-per-hour 20000 --cpu-per-video-second 1.2
    python3 Benchmarks/scaling/simulate.py --quiet         # exit 0 if it runs (scripts/test-ops)

Standard library only; deterministic (fixed seed).
"""
import argparse
import heapq
import math
import random
import sys

# EC2 on-demand Linux prices, us-east-1 (USD/hour, 2025 list prices; check the current ones), and the x264
# throughput of one vCPU relative to the machine the FFmpeg cost was measured on (an AMD EPYC vCPU, i.e. one
# SMT thread). Graviton and AMD c7a vCPUs are whole cores; Intel/AMD c6i/c7i vCPUs are SMT threads.
INSTANCES = {
    # name: (vCPUs, GiB, USD/hour, relative x264 throughput per vCPU)
    "c7i.4xlarge": (16, 32, 0.714, 1.00),
    "c7a.4xlarge": (16, 32, 0.821, 1.35),
    "c7g.4xlarge": (16, 32, 0.578, 1.05),
    "c8g.4xlarge": (16, 32, 0.638, 1.25),
    "c7g.8xlarge": (32, 64, 1.157, 1.05),
}

SQS_PRICE_PER_MILLION = 0.40          # standard queue, after the free million per month
S3_PUT_PER_1000 = 0.005               # PUT, COPY, POST, LIST
S3_GET_PER_1000 = 0.0004              # GET and all others
S3_STORAGE_PER_GB_MONTH = 0.023       # S3 Standard, first 50 TB
HOURS_PER_MONTH = 730


def parse_arguments():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--videos-per-hour", type=float, default=10_000)
    p.add_argument("--video-seconds", type=float, default=300, help="mean source duration (lognormal, sigma 0.8)")
    p.add_argument("--source-mbps", type=float, default=6.0, help="source bit rate (1080p H.264)")
    p.add_argument("--output-mbps", type=float, default=4.0, help="1080p+720p+480p renditions together (CRF 23 veryfast)")
    p.add_argument("--cpu-per-video-second", type=float, default=2.5,
                   help="CPU-seconds of FFmpeg per second of 1080p30 source for the default jobs (transcode to "
                        "1080/720/480 x264 veryfast CRF 23 in one pass, plus thumbnails). Measured on the build machine "
                        "(AMD EPYC vCPUs): 1.2 for clean synthetic video, 4.6 for heavy grain; 2.5 plans for camera footage")
    p.add_argument("--threads-per-job", type=int, default=4, help="VIDEOQUEUE_FFMPEG_THREADS; slots = vCPUs / this")
    p.add_argument("--parallel-efficiency", type=float, default=0.85, help="x264 speed-up with N threads ÷ N")
    p.add_argument("--transfer-mbytes-per-second", type=float, default=150, help="S3 GET/PUT per job, in-region")
    p.add_argument("--latency-target", type=float, default=300, help="p95 wait in the queue, seconds")
    p.add_argument("--max-utilisation", type=float, default=0.75,
                   help="busy share of the slots the fleet is sized for (headroom for bursts and scale-out lag)")
    p.add_argument("--instance", default="c7g.4xlarge", choices=sorted(INSTANCES))
    p.add_argument("--hours", type=float, default=6, help="simulated hours (the first one is discarded as warm-up)")
    p.add_argument("--part-mbytes", type=float, default=16, help="multipart part size for uploads and ranged GETs")
    p.add_argument("--heartbeat-seconds", type=float, default=20, help="visibility extension period")
    p.add_argument("--progress-seconds", type=float, default=1, help="progress write interval per running job")
    p.add_argument("--cancel-poll-seconds", type=float, default=1, help="cancellation read interval per running job")
    p.add_argument("--pool-size", type=int, default=20, help="DATABASE_MAX_CONNECTIONS per process (the default)")
    p.add_argument("--producers", type=int, default=3)
    p.add_argument("--retention-days", type=float, default=30, help="how long sources and outputs stay in S3")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--quiet", action="store_true", help="run a short simulation and print nothing")
    return p.parse_args()


def lognormal_with_mean(rng, mean, sigma):
    mu = math.log(mean) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


def simulate(rate_per_second, hours, slots, job_seconds, seed):
    """FCFS M/G/c: returns the waits (seconds) after the first hour, and the mean busy slots."""
    rng = random.Random(seed)
    free = [0.0] * slots  # a min-heap of the times each slot becomes free
    heapq.heapify(free)
    t = 0.0
    end = hours * 3600
    waits = []
    busy_time = 0.0
    while True:
        t += rng.expovariate(rate_per_second)
        if t > end:
            break
        service = job_seconds(rng)
        slot_free = heapq.heappop(free)
        start = max(t, slot_free)
        heapq.heappush(free, start + service)
        if t > 3600:
            waits.append(start - t)
            busy_time += service
    measured_seconds = end - 3600
    return waits, busy_time / measured_seconds


def percentile(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    a = parse_arguments()
    if a.quiet:
        a.hours = 1.5
    rate = a.videos_per_hour / 3600
    vcpus, memory, price, per_vcpu = INSTANCES[a.instance]
    slots_per_instance = max(1, vcpus // a.threads_per_job)
    source_mb = a.video_seconds * a.source_mbps / 8
    output_mb = a.video_seconds * a.output_mbps / 8

    def job_seconds(rng):
        duration = lognormal_with_mean(rng, a.video_seconds, 0.8)
        cpu = duration * a.cpu_per_video_second / per_vcpu
        encode = cpu / (a.threads_per_job * a.parallel_efficiency)
        transfer = duration * (a.source_mbps + a.output_mbps) / 8 / a.transfer_mbytes_per_second
        return encode + transfer + 2.0  # + probe, database and SQS round trips

    mean_job = a.video_seconds * a.cpu_per_video_second / per_vcpu / (a.threads_per_job * a.parallel_efficiency) \
        + a.video_seconds * (a.source_mbps + a.output_mbps) / 8 / a.transfer_mbytes_per_second + 2.0
    offered_slots = rate * mean_job  # Little's law: slots busy on average
    # The smallest fleet whose simulated p95 wait meets the target (start at the 100 % utilisation bound).
    instances = max(1, math.ceil(offered_slots / slots_per_instance))
    while True:
        waits, busy = simulate(rate, a.hours, instances * slots_per_instance, job_seconds, a.seed)
        if percentile(waits, 0.95) <= a.latency_target and busy / (instances * slots_per_instance) <= a.max_utilisation:
            break
        instances += 1
    p50, p95, p99 = (percentile(waits, q) for q in (0.5, 0.95, 0.99))
    utilisation = busy / (instances * slots_per_instance)
    # The autoscaler's own answer for the steady backlog (AWS "backlog per instance").
    acceptable_backlog = a.latency_target / mean_job * slots_per_instance

    # --- SQS requests per second -------------------------------------------------------------------------
    sends = rate                                   # producer outbox: SendMessage (one per video)
    receives_busy = rate                           # a receive that returns a message, one per job
    idle_slots = instances * slots_per_instance - busy
    idle_polls = idle_slots / slots_per_instance / 20   # at most one 20-s long poll per instance with free slots
    heartbeats = busy / a.heartbeat_seconds         # ChangeMessageVisibility per running job
    deletes = rate
    attributes = 1 / 60 + instances / 60           # autoscaler each minute; readiness probes each minute per instance
    sqs_rps = sends + receives_busy + idle_polls + heartbeats + deletes + attributes
    sqs_month = sqs_rps * 3600 * HOURS_PER_MONTH
    sqs_cost = max(0.0, sqs_month - 1e6) / 1e6 * SQS_PRICE_PER_MILLION

    # --- S3 requests ----------------------------------------------------------------------------------------
    source_parts = max(1, math.ceil(source_mb / a.part_mbytes))
    upload_puts = source_parts + 2 if source_mb > 64 else 1          # CreateMultipartUpload + parts + Complete
    rendition_puts = sum((max(1, math.ceil(mb / a.part_mbytes)) + 2) if mb > 64 else 1
                         for mb in (output_mb * 0.6, output_mb * 0.28, output_mb * 0.12))
    thumbnail_puts = 12                                               # 10 frames, sprite, poster
    puts_per_video = upload_puts + rendition_puts + thumbnail_puts
    gets_per_video = source_parts + 1 + 3                             # ranged source GETs, HEAD, presigned downloads
    s3_put_rps = rate * puts_per_video
    s3_get_rps = rate * gets_per_video
    s3_request_cost = (s3_put_rps * 3600 * HOURS_PER_MONTH / 1000 * S3_PUT_PER_1000
                       + s3_get_rps * 3600 * HOURS_PER_MONTH / 1000 * S3_GET_PER_1000)
    stored_gb = a.videos_per_hour * 24 * a.retention_days * (source_mb + output_mb) / 1024
    s3_storage_cost = stored_gb * S3_STORAGE_PER_GB_MONTH
    ingest_gbps = rate * source_mb * 8 / 1000

    # --- PostgreSQL ------------------------------------------------------------------------------------------
    progress_writes = busy / a.progress_seconds
    cancel_reads = busy / a.cancel_poll_seconds
    lifecycle_writes = rate * 4                    # record + outbox, claim, outputs, final status
    db_tps = progress_writes + cancel_reads + lifecycle_writes + rate * 2   # + producer reads (status, lists)
    processes = instances + a.producers
    max_connections = processes * a.pool_size
    consumers_200 = 200 * a.pool_size + a.producers * a.pool_size
    rds_limit = {"db.r6g.large (16 GiB)": 1802, "db.r6g.xlarge (32 GiB)": 3604, "db.r6g.2xlarge (64 GiB)": 5000}

    compute_cost = instances * price * HOURS_PER_MONTH

    if a.quiet:
        return 0
    print(f"Assumptions: {a.videos_per_hour:,.0f} videos/h, mean {a.video_seconds:.0f} s (lognormal σ 0.8), "
          f"{a.source_mbps} Mbit/s sources ({source_mb:.0f} MB), outputs {output_mb:.0f} MB")
    print(f"  FFmpeg {a.cpu_per_video_second} CPU-s per source second (measured), {a.threads_per_job} threads/job at "
          f"{a.parallel_efficiency:.0%} efficiency, {a.instance} = {vcpus} vCPU × {per_vcpu} relative speed, "
          f"{slots_per_instance} slots/instance")
    print(f"  mean job {mean_job:.0f} s wall; offered load {offered_slots:.0f} busy slots (Little's law)")
    print()
    print(f"Fleet: {instances} × {a.instance} ({instances * slots_per_instance} slots), utilisation {utilisation:.0%}; "
          f"queue wait p50 {p50:.0f} s, p95 {p95:.0f} s, p99 {p99:.0f} s (target p95 ≤ {a.latency_target:.0f} s)")
    print(f"  autoscaler target: acceptable backlog per instance = {a.latency_target:.0f} s ÷ {mean_job:.0f} s × "
          f"{slots_per_instance} = {acceptable_backlog:.1f} messages")
    print(f"  compute ${compute_cost:,.0f}/month on demand (${price}/h each)")
    for name in sorted(INSTANCES):
        v, _, p, speed = INSTANCES[name]
        slots = max(1, v // a.threads_per_job)
        job = mean_job - a.video_seconds * a.cpu_per_video_second / (a.threads_per_job * a.parallel_efficiency) * (1 / per_vcpu - 1 / speed)
        need = math.ceil(rate * job / slots / a.max_utilisation)
        print(f"    {name:13s} ≈ {need:4d} instances ({need * v:5,d} vCPUs) at ≤ {a.max_utilisation:.0%} busy, "
              f"${need * p * HOURS_PER_MONTH:9,.0f}/month")
    print(f"  EC2 On-Demand vCPU quota needed: {instances * vcpus:,} (Running On-Demand Standard instances; "
          f"new accounts start far lower: request the increase first)")
    print()
    print(f"SQS: {sqs_rps:.1f} requests/s ({sends:.2f} send, {receives_busy:.2f} receive, {deletes:.2f} delete, "
          f"{heartbeats:.1f} heartbeat, {idle_polls:.2f} idle polls) = {sqs_month / 1e6:.1f} M/month, ${sqs_cost:,.0f}/month")
    print(f"  SQS in-flight messages ≈ {busy:.0f} (standard-queue limit 120,000); throughput limit: none in practice")
    print(f"S3: {s3_put_rps:.0f} PUT/s ({puts_per_video} per video), {s3_get_rps:.0f} GET/s ({gets_per_video} per video); "
          f"requests ${s3_request_cost:,.0f}/month; ingest {ingest_gbps:.2f} Gbit/s; "
          f"{stored_gb / 1024:,.0f} TB stored at {a.retention_days:.0f} days = ${s3_storage_cost:,.0f}/month")
    print(f"  per-prefix limits 3,500 PUT/s and 5,500 GET/s: {s3_put_rps / 3500:.0%} and {s3_get_rps / 5500:.0%} of one prefix")
    print(f"PostgreSQL: ≈ {db_tps:.0f} statements/s ({progress_writes:.0f} progress writes, {cancel_reads:.0f} cancel reads, "
          f"{lifecycle_writes:.0f} lifecycle writes)")
    print(f"  connections: {processes} processes × pool {a.pool_size} = up to {max_connections:,}; "
          f"at 200 consumers {consumers_200:,}")
    for name, limit in rds_limit.items():
        print(f"    RDS {name}: max_connections ≈ {limit:,} → {'OK' if consumers_200 <= limit else 'EXCEEDED at 200 consumers'}")
    print(f"  with DATABASE_MAX_CONNECTIONS=4 on consumers: {200 * 4 + a.producers * a.pool_size:,} at 200 consumers "
          f"(RDS Proxy / PgBouncer multiplex them onto ~100 server connections)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
