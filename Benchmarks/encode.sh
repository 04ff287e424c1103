#!/usr/bin/env bash
# The consumer's two encode pipelines for the jobs transcode,hls,thumbnails on a 60 s 1080p30 source, run locally with
# `consumer process … --pipeline shared|per-job` (no AWS): CPU seconds (user + sys of the consumer and its FFmpeg
# children) and wall seconds per pipeline, medians over alternating rounds, and the ratio shared/per-job (goal ≤ 0.55,
# reported only); then, on the last round of each, the PSNR of every MP4 and HLS rendition against the scaled source
# (the pipelines must agree within 0.1 dB), every HLS segment readable and within 10 % of the 4 s target but the last,
# and the output sizes (see Benchmarks/encode/bench.py). Results also in .artifacts/encode-bench.json.
#   Benchmarks/encode.sh [rounds] [release|debug]      (default 3 release; SKIP_BUILD=1 uses what is built)
# The source (a Mandelbrot zoom blended with testsrc2: motion and detail, 40–42 dB at CRF 23 from start to end; a 440 Hz
# AAC stereo tone; H.264 CRF 12, about 200 MB) is made once, in a few minutes, and kept in .build/bench-media/.
# ENCODE_SECONDS and ENCODE_SIZE (default 60 and 1920x1080) make a smaller one for a quick smoke run.
# Exits 1 if a run fails or a quality/HLS check fails; a missed CPU goal is only reported.
set -euo pipefail
export SWIFT_DETERMINISTIC_HASHING=1
# FFmpeg outside bubblewrap: the sandbox's init process reaps FFmpeg, so its CPU time would not reach the consumer's
# RUSAGE_CHILDREN (the same for both pipelines; the encodes cost the same inside).
export VIDEOQUEUE_FFMPEG_SANDBOX=none
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
rounds=${1:-3}
mode=${2:-release}
seconds=${ENCODE_SECONDS:-60}
size=${ENCODE_SIZE:-1920x1080}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
binary="$(build_products "$mode" consumer)/consumer"

media=.build/bench-media
source_file="$media/encode-source-$size-30fps-${seconds}s-v1.mp4"
# The zoom is slowed (end_pts 1500 frames, not 400) so that it never reaches the aliased depths, which are noise.
if [ ! -s "$source_file" ]; then
    echo "making $source_file (once)" >&2
    mkdir -p "$media"
    graph="mandelbrot=size=$size:rate=30:end_pts=1500[m];testsrc2=size=$size:rate=30[t]"
    graph+=";[t][m]blend=all_mode=average,format=yuv420p[v];sine=frequency=440:sample_rate=48000[a]"
    ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex "$graph" \
        -map '[v]' -map '[a]' -t "$seconds" -c:v libx264 -preset veryfast -crf 12 -pix_fmt yuv420p \
        -c:a aac -b:a 192k -ac 2 -movflags +faststart "$work/source.mp4"
    mv "$work/source.mp4" "$source_file"
fi

mkdir -p .artifacts
python3 Benchmarks/encode/bench.py --binary "$binary" --source "$source_file" --work "$work" --rounds "$rounds" \
    --mode "$mode" --segment 4 --json .artifacts/encode-bench.json
