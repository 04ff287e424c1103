// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// The services bind every symbol at start-up (`-z now`: full RELRO, and the loader's tables are not read again,
/// so `MemoryTuning` can give their pages back).
let serviceLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "now"], .when(platforms: [.linux]))
]

let package = Package(
    name: "VideoQueue",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AWSSigV4", targets: ["AWSSigV4"]),
        .library(name: "AWSClientRuntime", targets: ["AWSClientRuntime"]),
        .library(name: "SQSClient", targets: ["SQSClient"]),
        .library(name: "S3Client", targets: ["S3Client"]),
        .library(name: "VideoCore", targets: ["VideoCore"]),
        .library(name: "VideoStore", targets: ["VideoStore"]),
        .library(name: "MediaProcessing", targets: ["MediaProcessing"]),
        .executable(name: "sigv4", targets: ["SigV4Tool"]),
        .executable(name: "producer", targets: ["Producer"]),
        .executable(name: "consumer", targets: ["Consumer"]),
        .executable(name: "videoqueue-autoscaler", targets: ["AutoscalerTool"]),
        .executable(name: "videoqueue", targets: ["VideoQueueCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // One configuration model (ServiceSupport.Settings); no traits: no file formats, no reloading.
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
    ],
    targets: [
        // MARK: Libraries
        .target(
            name: "AWSSigV4",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Signing/README.md"],  // what the fast path buys and where its test oracle is
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SigV4CLI",
            dependencies: [
                "AWSSigV4", "VideoCore",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AWSClientRuntime",
            dependencies: [
                "AWSSigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SQSClient",
            dependencies: [
                "AWSClientRuntime",
                "AWSSigV4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "S3Client",
            dependencies: [
                "AWSClientRuntime",
                "AWSSigV4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The shared video model: record, status machine, queue message (no I/O).
        .target(
            name: "VideoCore",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // The video store: SQLite (embedded default) and PostgreSQL behind one interface, migrations, outbox, API keys.
        .target(
            name: "VideoStore",
            dependencies: [
                "VideoCore", "AWSSigV4",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // FFprobe/FFmpeg as child processes: probing, progress, the job handlers (transcode, hls, thumbnails…).
        .target(
            name: "MediaProcessing",
            dependencies: [
                "VideoCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The producer's HTTP service: ingest, records, outbox dispatcher, read/control routes, auth.
        .target(
            name: "ProducerService",
            dependencies: [
                "VideoCore", "VideoStore", "S3Client", "SQSClient", "AWSClientRuntime", "ServiceSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The consumer daemon: receive loop, heartbeat, processing, failure handling, shutdown, health server.
        .target(
            name: "ConsumerService",
            dependencies: [
                "VideoCore", "VideoStore", "S3Client", "SQSClient", "AWSClientRuntime", "AWSQuery", "AWSSigV4", "MediaProcessing", "ServiceSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The autoscaler: desired consumer count from the queue's backlog; systemctl, CloudWatch and dry-run modes.
        .target(
            name: "Autoscaler",
            dependencies: [
                "AWSClientRuntime", "AWSQuery", "AWSSigV4", "SQSClient", "ServiceSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The AWS query protocol and the EC2 Auto Scaling calls the autoscaler and the consumer make.
        .target(
            name: "AWSQuery",
            dependencies: [
                "AWSClientRuntime", "AWSSigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What both services share: Prometheus metrics setup, systemd notify, backoff with jitter, env config helpers.
        .target(
            name: "ServiceSupport",
            dependencies: [
                "VideoCore",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables (thin: the logic lives in the libraries above)
        .executableTarget(
            name: "SigV4Tool",
            dependencies: ["SigV4CLI"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Producer",
            dependencies: [
                "SQSClient", "S3Client", "AWSClientRuntime", "ProducerService", "VideoCore", "VideoStore", "ServiceSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: serviceLinkerSettings
        ),
        .executableTarget(
            name: "Consumer",
            dependencies: [
                "ConsumerService", "MediaProcessing", "ServiceSupport", "VideoCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: serviceLinkerSettings
        ),
        .executableTarget(
            name: "AutoscalerTool",
            dependencies: [
                "Autoscaler", "AWSClientRuntime", "AWSQuery", "SQSClient", "ServiceSupport", "VideoCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: serviceLinkerSettings
        ),
        // The client of the producer's API that the `videoqueue` tool is made of.
        .target(
            name: "VideoQueueClient",
            dependencies: [
                "VideoCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "VideoQueueCLI",
            dependencies: [
                "VideoQueueClient", "VideoCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: serviceLinkerSettings
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "AWSSigV4",
                "AWSClientRuntime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSSigV4Tests",
            dependencies: [
                "AWSSigV4",
                "SigV4CLI",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSClientRuntimeTests",
            dependencies: [
                "AWSClientRuntime", "AWSSigV4", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SQSClientTests",
            dependencies: [
                "SQSClient", "AWSClientRuntime", "AWSSigV4", "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "S3ClientTests",
            dependencies: [
                "S3Client", "AWSClientRuntime", "AWSSigV4", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VideoQueueClientTests",
            dependencies: ["VideoQueueClient"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceSupportTests",
            dependencies: ["ServiceSupport", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VideoCoreTests",
            dependencies: ["VideoCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VideoStoreTests",
            dependencies: [
                "VideoStore", "VideoCore", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProducerServiceTests",
            dependencies: [
                "ServiceSupport", "ProducerService", "VideoQueueClient", "VideoStore", "VideoCore", "S3Client", "SQSClient", "AWSClientRuntime", "AWSSigV4",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsumerServiceTests",
            dependencies: [
                "ConsumerService", "VideoStore", "VideoCore", "S3Client", "SQSClient", "AWSClientRuntime", "AWSSigV4",
                "MediaProcessing", "ServiceSupport", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AutoscalerTests",
            dependencies: [
                "Autoscaler", "AWSClientRuntime", "AWSQuery", "AWSSigV4", "SQSClient", "ServiceSupport", "TestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MediaProcessingTests",
            dependencies: ["MediaProcessing", "VideoCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SigV4CLITests",
            dependencies: ["SigV4CLI", "AWSSigV4"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The benchmark drivers are built only when asked (`VIDEOQUEUE_BENCHMARKS=1`, as Benchmarks/*.sh do): they are not part
// of `swift build`, `swift test` or a release.
if Context.environment["VIDEOQUEUE_BENCHMARKS"] == "1" {
    package.targets += [
        .executableTarget(
            name: "SigV4Benchmark",
            dependencies: [
                "AWSSigV4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/SigV4Benchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "S3Benchmark",
            dependencies: ["S3Client", "AWSClientRuntime", "AWSSigV4"],
            path: "Benchmarks/S3Benchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SQSBenchmark",
            dependencies: ["SQSClient", "AWSClientRuntime", "AWSSigV4"],
            path: "Benchmarks/SQSBenchmark",
            swiftSettings: swiftSettings
        ),
    ]
}
