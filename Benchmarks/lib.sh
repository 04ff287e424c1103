# Shared by the benchmark scripts (source it from the repository root).

# build_products MODE PRODUCT…: builds the products in MODE (release: the static release build in .build-release,
# under /tmp/vq-release.lock; debug: .build) unless SKIP_BUILD is set, and prints the directory of the binaries.
build_products() {
    local mode="$1"; shift
    # One product per build: swift build keeps only the last of several --product options.
    local product
    if [ "$mode" = release ]; then
        for product in "$@"; do
            [ -n "${SKIP_BUILD:-}" ] || flock /tmp/vq-release.lock swift build -c release --static-swift-stdlib --scratch-path .build-release \
                --product "$product" >&2
        done
        echo .build-release/release
    else
        for product in "$@"; do
            [ -n "${SKIP_BUILD:-}" ] || swift build --product "$product" >&2
        done
        echo .build/debug
    fi
}
