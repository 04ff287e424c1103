# Shared by the benchmark scripts (source it from the repository root).

# build_products MODE PRODUCT…: builds the products in MODE (release: the static release build in .build-release,
# under /tmp/vq-release.lock; debug: .build) unless SKIP_BUILD is set, and prints the directory of the binaries.
build_products() {
    local mode="$1"; shift
    local products=()
    for product in "$@"; do products+=(--product "$product"); done
    if [ "$mode" = release ]; then
        [ -n "${SKIP_BUILD:-}" ] || flock /tmp/vq-release.lock swift build -c release --static-swift-stdlib --scratch-path .build-release \
            "${products[@]}" >&2
        echo .build-release/release
    else
        [ -n "${SKIP_BUILD:-}" ] || swift build "${products[@]}" >&2
        echo .build/debug
    fi
}
