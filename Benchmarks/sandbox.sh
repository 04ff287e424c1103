#!/usr/bin/env bash
# The cost of FFmpeg's bubblewrap sandbox: the consumer's transcode of a 10 s 720p source (720p + 480p, its own
# encoder arguments) run bare and inside the same sandbox the consumer builds (MediaProcessing/Process/Sandbox),
# in alternating rounds; wall seconds per round and the median ratio.
#   Benchmarks/sandbox.sh [rounds]            (default 7)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v bwrap >/dev/null || { echo "needs bubblewrap (apt-get install bubblewrap)" >&2; exit 2; }
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440" -t 10 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac "$work/source.mp4"
mkdir -p "$work/out"
args=(-nostdin -hide_banner -loglevel error -y -protocol_whitelist file,pipe -max_pixels 35389440 -i "file:$work/source.mp4"
      -filter_complex "[0:0]split=2[s0][s1];[s0]scale=1280:720,setsar=1[v0];[s1]scale=854:480,setsar=1[v1]"
      -map "[v0]" -map 0:1 -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -c:a aac -b:a 128k -movflags +faststart out/720p.mp4
      -map "[v1]" -map 0:1 -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -c:a aac -b:a 128k -movflags +faststart out/480p.mp4)
sandbox=(bwrap --unshare-all --die-with-parent --cap-drop ALL --ro-bind /usr /usr --proc /proc --dev /dev --tmpfs /tmp
         --clearenv --setenv PATH /usr/bin:/bin --setenv LC_ALL C)
for top in /bin /sbin /lib /lib32 /lib64 /libx32; do
    if [ -L "$top" ]; then sandbox+=(--symlink "$(readlink "$top")" "$top"); elif [ -e "$top" ]; then sandbox+=(--ro-bind "$top" "$top"); fi
done
for file in /etc/ld.so.cache /etc/ld.so.conf /etc/ld.so.conf.d /etc/alternatives /sys/devices/system/cpu; do sandbox+=(--ro-bind-try "$file" "$file"); done
sandbox+=(--ro-bind "$work" "$work" --bind "$work/out" "$work/out" --chdir "$work" --)
run() { local start end; start=$(date +%s.%N); (cd "$work" && "$@"); end=$(date +%s.%N); echo "$end - $start" | bc -l; }
bare=(); boxed=()
for round in $(seq "$rounds"); do
    b=$(run ffmpeg "${args[@]}"); s=$(run "${sandbox[@]}" "$(command -v ffmpeg)" "${args[@]}")
    bare+=("$b"); boxed+=("$s")
    printf 'round %d: bare %.3f s, sandboxed %.3f s\n' "$round" "$b" "$s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mb=$(median "${bare[@]}"); ms=$(median "${boxed[@]}")
printf 'median: bare %.3f s, sandboxed %.3f s, ratio %.3f\n' "$mb" "$ms" "$(echo "$ms / $mb" | bc -l)"
