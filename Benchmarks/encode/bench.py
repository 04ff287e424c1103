"""The consumer's two encode pipelines for the jobs transcode,hls,thumbnails (run by Benchmarks/encode.sh, which builds
the consumer and makes the source): `consumer process SOURCE --pipeline shared` vs `--pipeline per-job`.

1. cost: the pipelines in alternating rounds (shared, per-job, shared, per-job…), one run at a time, each into a fresh
   directory; CPU seconds are user + sys of the consumer and every child it waited for (RUSAGE_CHILDREN deltas around
   the run), wall seconds beside them; reported as medians and as the ratio shared/per-job (the median of the
   per-round ratios and the ratio of the medians; goal ≤ 0.55, a note only);
2. quality (the last round of each pipeline): the PSNR of every MP4 and HLS rendition against the source scaled to the
   rendition's size, the same FFmpeg command for both pipelines; the two must agree within 0.1 dB per rendition;
3. HLS: ffprobe reads every segment each playlist lists, and every segment but the last lasts the target (4 s) ± 10 %;
4. sizes: the bytes of every rendition (the MP4; the HLS segments summed) and their bit rate.

Exits 1 if a run fails, its output does not match the contract (`--json` answer, layout), or a quality or HLS check
fails; a missed CPU goal is only reported. The results go to --json as well.

    bench.py --binary BIN/consumer --source SOURCE.mp4 --work DIR [--rounds 3] [--mode release] [--segment 4]
             [--goal 0.55] [--tolerance-db 0.1] [--json .artifacts/encode-bench.json]
"""
import argparse, glob, json, os, re, resource, shutil, statistics, subprocess, sys, time

JOBS = ["transcode", "hls", "thumbnails"]
PIPELINES = ["shared", "per-job"]

parser = argparse.ArgumentParser()
parser.add_argument("--binary", required=True, help="the consumer binary")
parser.add_argument("--source", required=True, help="the source video")
parser.add_argument("--work", required=True, help="a scratch directory for the runs' outputs")
parser.add_argument("--rounds", type=int, default=3, help="rounds; each runs both pipelines")
parser.add_argument("--mode", default="release", help="the build mode (recorded only)")
parser.add_argument("--segment", type=float, default=4.0, help="the HLS target segment duration in seconds")
parser.add_argument("--goal", type=float, default=0.55, help="the CPU ratio shared/per-job to reach")
parser.add_argument("--tolerance-db", type=float, default=0.1, help="the largest PSNR difference between the pipelines")
parser.add_argument("--json", default=".artifacts/encode-bench.json", help="where to write the results")
args = parser.parse_args()
if args.rounds < 1:
    parser.error("--rounds must be at least 1")
if not os.access(args.binary, os.X_OK):
    parser.error(f"{args.binary} is not an executable (built?)")


class Broken(Exception):
    """Something that makes the benchmark's numbers meaningless (exit 1 at once)."""


def ffprobe_json(*arguments):
    result = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise Broken(f"ffprobe {' '.join(arguments)}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def video_info(path):
    """Width, height, frame count and duration of a file's first video stream."""
    probed = ffprobe_json("-select_streams", "v:0", "-count_packets", "-show_entries",
                          "stream=width,height,nb_read_packets,r_frame_rate:format=duration", path)
    stream = probed["streams"][0]
    numerator, denominator = (int(part) for part in stream["r_frame_rate"].split("/"))
    return {"width": stream["width"], "height": stream["height"], "frames": int(stream["nb_read_packets"]),
            "fps": numerator / denominator, "duration": float(probed["format"]["duration"])}


# --- 1. The runs -------------------------------------------------------------------------------------------------


def check_contract(directory, answer):
    """The `--json` answer lists the requested jobs, and every file it lists is there with its size; the layout has
    the files the jobs are documented to write. Returns {job: [files]}."""
    try:
        listed = {entry["job"]: entry["files"] for entry in answer["jobs"]}
    except (KeyError, TypeError) as error:
        raise Broken(f"the --json answer is not {{\"jobs\":[{{\"job\":…,\"files\":[…]}}]}}: {error!r}")
    if sorted(listed) != sorted(JOBS):
        raise Broken(f"the --json answer lists the jobs {sorted(listed)}, not {sorted(JOBS)}")
    for job, files in listed.items():
        for file in files:
            path = os.path.join(directory, file["relativePath"])
            if not os.path.isfile(path):
                raise Broken(f"{job}: the --json answer lists {file['relativePath']}, which is not in {directory}")
            if os.path.getsize(path) != file["size"]:
                raise Broken(f"{job}: {file['relativePath']} has {os.path.getsize(path)} bytes, the answer says {file['size']}")
    expected = {"transcode/*p.mp4": "an MP4 rendition", "hls/master.m3u8": "the master playlist",
                "hls/*p/playlist.m3u8": "a rendition playlist", "thumbnails/poster.jpg": "the poster",
                "thumbnails/sprite.jpg": "the sprite", "thumbnails/frame_*.jpg": "a frame"}
    for pattern, what in expected.items():
        if not glob.glob(os.path.join(directory, pattern)):
            raise Broken(f"{directory} has no {pattern} ({what})")
    return listed


def run(pipeline, round_number):
    directory = os.path.join(args.work, f"round{round_number}-{pipeline}")
    shutil.rmtree(directory, ignore_errors=True)
    log_path = directory + ".stderr.log"
    command = [args.binary, "process", args.source, "--output", directory, "--jobs", ",".join(JOBS),
               "--pipeline", pipeline, "--json"]
    load = os.getloadavg()[0]
    with open(log_path, "w") as log:
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        wall, after = time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    if result.returncode != 0:
        tail = open(log_path, errors="replace").read()[-3000:]
        raise Broken(f"{' '.join(command)} exited {result.returncode}:\n{tail}")
    try:
        answer = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise Broken(f"{pipeline}: stdout is not JSON ({error}): {result.stdout[:500]!r}")
    listed = check_contract(directory, answer)
    print(f"round {round_number} {pipeline:7}: CPU {user + system:8.2f} s (user {user:.2f}, sys {system:.2f}), "
          f"wall {wall:7.2f} s, load before {load:.2f}", flush=True)
    return {"round": round_number, "pipeline": pipeline, "cpu": user + system, "user": user, "sys": system, "wall": wall,
            "load1Before": load, "directory": directory, "files": sum(len(files) for files in listed.values())}


# --- 2. Quality ----------------------------------------------------------------------------------------------------


def psnr(path, width, height, is_playlist):
    """PSNR (average over Y, U, V, as FFmpeg's `average:`) of `path`'s video against the source scaled to
    width×height, and the number of frames compared. Both start at 0 (setpts), so a stream's start offset (MPEG-TS
    starts at 1.4 s) does not shift the pairs; frames pair by timestamp."""
    graph = (f"[0:v]setpts=PTS-STARTPTS,format=yuv420p[out];"
             f"[1:v]scale={width}:{height}:flags=bicubic,setsar=1,setpts=PTS-STARTPTS,format=yuv420p[ref];"
             f"[out][ref]psnr=shortest=1")
    playlist_options = ["-allowed_extensions", "ALL"] if is_playlist else []
    command = ["ffmpeg", "-nostdin", "-hide_banner", *playlist_options, "-i", path, "-i", args.source,
               "-lavfi", graph, "-an", "-f", "null", "-"]
    result = subprocess.run(command, capture_output=True, text=True)
    averages = re.findall(r"PSNR y:\S+ u:\S+ v:\S+ average:(\S+)", result.stderr)
    frames = re.findall(r"frame=\s*(\d+)", result.stderr)
    if result.returncode != 0 or not averages or not frames:
        raise Broken(f"PSNR of {path} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    return float(averages[-1]), int(frames[-1])


def playlist_segments(path):
    """The (duration, URI) entries of a media playlist."""
    entries, pending = [], None
    for line in open(path).read().splitlines():
        line = line.strip()
        if line.startswith("#EXTINF:"):
            pending = float(line[len("#EXTINF:"):].split(",")[0])
        elif line and not line.startswith("#") and pending is not None:
            entries.append((pending, line))
            pending = None
    return entries


def renditions(directory):
    """{"transcode/720p": path, "hls/720p": playlist path, …}, largest first."""
    found = {}
    for path in glob.glob(os.path.join(directory, "transcode", "*p.mp4")):
        found["transcode/" + os.path.basename(path)[:-len(".mp4")]] = (path, False)
    for path in glob.glob(os.path.join(directory, "hls", "*p", "playlist.m3u8")):
        found["hls/" + os.path.basename(os.path.dirname(path))] = (path, True)
    found = {name: value for name, value in found.items() if re.fullmatch(r"\w+/\d+p", name)}
    return dict(sorted(found.items(), key=lambda item: (item[0].split("/")[0] != "transcode", -int(item[0].split("/")[1][:-1]))))


def inspect(pipeline, directory, source):
    """PSNR, frames, size and bit rate of each rendition, and the HLS segment check."""
    problems, results = [], {}
    for name, (path, is_playlist) in renditions(directory).items():
        info = video_info(path)
        if is_playlist:
            entries = playlist_segments(path)
            if not entries:
                raise Broken(f"{pipeline}: {path} lists no segments")
            segments, size = [], 0
            for index, (listed_duration, uri) in enumerate(entries):
                segment = os.path.join(os.path.dirname(path), uri)
                if not os.path.isfile(segment):
                    problems.append(f"{pipeline} {name}: {uri} is listed but missing")
                    continue
                size += os.path.getsize(segment)
                probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", segment],
                                        capture_output=True, text=True)
                try:
                    duration = float(probed.stdout.strip())
                except ValueError:
                    duration = None
                if probed.returncode != 0 or probed.stderr.strip() or duration is None:
                    problems.append(f"{pipeline} {name}: ffprobe cannot read {uri}: {probed.stderr.strip()[:300]}")
                    continue
                last = index == len(entries) - 1
                if not last and abs(duration - args.segment) > 0.1 * args.segment:
                    problems.append(f"{pipeline} {name}: {uri} lasts {duration:.3f} s (target {args.segment:g} s ± 10 %)")
                segments.append({"uri": uri, "duration": duration, "listed": listed_duration, "size": os.path.getsize(segment)})
            on_disk = {os.path.basename(p) for p in glob.glob(os.path.join(os.path.dirname(path), "*.ts"))}
            unlisted = sorted(on_disk - {uri for _, uri in entries})
            if unlisted:
                problems.append(f"{pipeline} {name}: segments not in the playlist: {', '.join(unlisted[:5])}")
            durations = [s["duration"] for s in segments]
            but_last = durations[:-1] or durations
            hls = {"segments": len(entries), "minDuration": min(but_last, default=None), "maxDuration": max(but_last, default=None),
                   "lastDuration": durations[-1] if durations else None, "listedTotal": sum(d for d, _ in entries),
                   "segmentList": segments}
        else:
            size, hls = os.path.getsize(path), None
        value, compared = psnr(path, info["width"], info["height"], is_playlist)
        if compared != source["frames"]:
            problems.append(f"{pipeline} {name}: PSNR compared {compared} frames, the source has {source['frames']}")
        results[name] = {"path": os.path.relpath(path, directory), "width": info["width"], "height": info["height"],
                         "frames": info["frames"], "framesCompared": compared, "psnr": value, "bytes": size,
                         "kbps": size * 8 / source["duration"] / 1000, "hls": hls}
        print(f"  {pipeline:7} {name:16} {info['width']}x{info['height']}  PSNR {value:6.3f} dB over {compared} frames, "
              f"{size} bytes", flush=True)
    return results, problems


# --- Main ------------------------------------------------------------------------------------------------------------


def main():
    source = video_info(args.source)
    print(f"source: {args.source}, {source['width']}x{source['height']}, {source['fps']:g} fps, {source['frames']} frames, "
          f"{source['duration']:.2f} s; {args.rounds} round(s) of {' vs '.join(PIPELINES)}, {args.mode} build", flush=True)
    if os.getloadavg()[0] > 0.5 * os.cpu_count():
        print(f"warning: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; the times will be noisy", flush=True)

    runs, kept = [], {}
    for round_number in range(1, args.rounds + 1):
        for pipeline in PIPELINES:
            record = run(pipeline, round_number)
            runs.append(record)
            if pipeline in kept:  # only the last run of each pipeline is kept for the quality checks
                shutil.rmtree(kept[pipeline], ignore_errors=True)
            kept[pipeline] = record["directory"]

    summary = {}
    for pipeline in PIPELINES:
        mine = [r for r in runs if r["pipeline"] == pipeline]
        summary[pipeline] = {"cpuMedian": statistics.median(r["cpu"] for r in mine),
                             "wallMedian": statistics.median(r["wall"] for r in mine),
                             "cpu": [r["cpu"] for r in mine], "wall": [r["wall"] for r in mine]}
    ratios = {}
    for measure in ("cpu", "wall"):
        per_round = [s / p for s, p in zip(summary["shared"][measure], summary["per-job"][measure])]
        ratios[measure] = {"perRound": per_round, "medianOfRounds": statistics.median(per_round),
                           "ofMedians": summary["shared"][measure + "Median"] / summary["per-job"][measure + "Median"]}
    goal_met = ratios["cpu"]["medianOfRounds"] <= args.goal and ratios["cpu"]["ofMedians"] <= args.goal

    print(f"quality and HLS checks on round {args.rounds}:", flush=True)
    quality, problems = {}, []
    for pipeline in PIPELINES:
        quality[pipeline], found = inspect(pipeline, kept[pipeline], source)
        problems += found
    names = list(quality["shared"])
    if names != list(quality["per-job"]):
        problems.append(f"the pipelines made different renditions: shared {names}, per-job {list(quality['per-job'])}")
    comparison = {}
    for name in names:
        if name not in quality["per-job"]:
            continue
        delta = quality["shared"][name]["psnr"] - quality["per-job"][name]["psnr"]
        comparison[name] = {"psnrDelta": delta, "ok": abs(delta) <= args.tolerance_db}
        if abs(delta) > args.tolerance_db:
            problems.append(f"{name}: PSNR shared {quality['shared'][name]['psnr']:.3f} dB vs per-job "
                            f"{quality['per-job'][name]['psnr']:.3f} dB (Δ {delta:+.3f} dB, allowed ± {args.tolerance_db:g})")

    # The table.
    print()
    print(f"| pipeline ({args.rounds} rounds, {args.mode}) | median CPU s | median wall s | CPU s per round | wall s per round |")
    print("|---|---:|---:|---|---|")
    for pipeline in PIPELINES:
        s = summary[pipeline]
        print(f"| {pipeline} | {s['cpuMedian']:.2f} | {s['wallMedian']:.2f} | {' '.join(f'{v:.2f}' for v in s['cpu'])} "
              f"| {' '.join(f'{v:.2f}' for v in s['wall'])} |")
    for measure, label in (("cpu", "CPU"), ("wall", "wall")):
        r = ratios[measure]
        print(f"| shared/per-job {label} | {r['medianOfRounds']:.3f} (median of rounds) | {r['ofMedians']:.3f} (of medians) "
              f"| {' '.join(f'{v:.3f}' for v in r['perRound'])} | |")
    print()
    print("| rendition | shared PSNR dB | per-job PSNR dB | Δ dB | shared bytes | per-job bytes | shared kb/s | per-job kb/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        a, b = quality["shared"][name], quality["per-job"].get(name)
        if b is None:
            continue
        print(f"| {name} {a['width']}x{a['height']} | {a['psnr']:.3f} | {b['psnr']:.3f} | {comparison[name]['psnrDelta']:+.3f}"
              f"{'' if comparison[name]['ok'] else ' ✗'} | {a['bytes']} | {b['bytes']} | {a['kbps']:.0f} | {b['kbps']:.0f} |")
    print()
    print(f"| HLS rendition | pipeline | segments | min s (but last) | max s (but last) | last s | all but the last within {args.segment:g} s ± 10 % |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name in names:
        if not name.startswith("hls/"):
            continue
        for pipeline in PIPELINES:
            h = quality[pipeline].get(name, {}).get("hls")
            if h and h["minDuration"] is not None:
                within = all(abs(s["duration"] - args.segment) <= 0.1 * args.segment for s in h["segmentList"][:-1])
                print(f"| {name} | {pipeline} | {h['segments']} | {h['minDuration']:.3f} | {h['maxDuration']:.3f} "
                      f"| {h['lastDuration']:.3f} | {'yes' if within else 'NO'} |")
    print()
    verdict = "met" if goal_met else "NOT met"
    print(f"CPU goal shared/per-job ≤ {args.goal:g}: {verdict} (median of rounds {ratios['cpu']['medianOfRounds']:.3f}, "
          f"of medians {ratios['cpu']['ofMedians']:.3f})")
    if problems:
        print("FAIL: " + str(len(problems)) + " quality/HLS check(s) failed:")
        for problem in problems:
            print("  - " + problem)
    else:
        print(f"quality: PASS (every rendition within ± {args.tolerance_db:g} dB; every HLS segment readable and on target)")

    results = {"jobs": JOBS, "mode": args.mode, "rounds": args.rounds, "source": dict(source, path=args.source),
               "segmentTarget": args.segment, "goal": args.goal, "goalMet": goal_met, "toleranceDb": args.tolerance_db,
               "runs": [{k: v for k, v in r.items() if k != "directory"} for r in runs], "summary": summary, "ratios": ratios,
               "quality": quality, "comparison": comparison, "problems": problems, "passed": not problems}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    print(f"results: {args.json}")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Broken as error:
        print(f"encode bench: {error}", file=sys.stderr)
        sys.exit(1)
