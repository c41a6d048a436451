// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "logship",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "logship", targets: ["logship"]),
        // Counts malloc calls of a process it is preloaded into; only `logship bench` loads it
        // (LD_PRELOAD into the processes it measures). No executable links it.
        .library(name: "LogshipMallocCounter", type: .dynamic, targets: ["LogshipMallocCounter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // TLS for the bulk output (through AsyncHTTPClient, which already depends on it) and for
        // the built-in bulk endpoint's HTTPS.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The HTTP server of /metrics, /healthz and /ready. Its default traits (swift-configuration
        // support, full Foundation) are left off: logship configures it in code.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // The stage benchmarks (Tests/Benchmarks/Stages). Only the `MallocInterposer` trait, which
        // counts allocations without jemalloc; the default `RuntimeInterposer` trait would pull in
        // a package that is not available here.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // PCRE2 with 8-bit code units, from the system (Debian: libpcre2-dev): regexes on UTF-8 bytes.
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        // Events, field values, acknowledgements, sizes and durations, the metric store, regular
        // expressions (over CPCRE2). No I/O.
        .target(name: "LogshipCore", dependencies: ["CPCRE2"]),
        // File input: discovery, inotify watcher, identity, reader, rotation, multiline, checkpoints.
        .target(
            name: "LogshipTail",
            dependencies: [
                "LogshipCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Parsers and transforms: pure, synchronous functions over a batch of events.
        .target(name: "LogshipTransforms", dependencies: ["LogshipCore"]),
        // glibc's mallopt, for ProcessMemory (part of libc: nothing to install or link).
        .systemLibrary(name: "CMalloc"),
        // __builtin_prefetch for the bulk receiver's version table (a header: nothing to link).
        .systemLibrary(name: "CPrefetch"),
        // ISA-L's igzip: the bulk output's gzip (Debian: libisal-dev).
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        // Elasticsearch bulk output and the Prometheus endpoint.
        .target(
            name: "LogshipOutputs",
            dependencies: [
                "LogshipCore",
                "CISAL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The built-in Elasticsearch-compatible bulk endpoint of `demo`, `bench`, `receiver` and the
        // tests. It uses the HTTP server of LogshipOutputs: Core does no I/O, and a module of its
        // own for one HTTP server would be the utilities module the architecture avoids. Outputs
        // never depends on it (the shipping path does not contain the test peer).
        .target(
            name: "LogshipReceiver",
            dependencies: [
                "LogshipCore", "LogshipOutputs", "CISAL", "CPrefetch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // malloc/calloc/realloc/memalign counters for `logship bench`, preloaded into the measured
        // processes; C, so that counting never allocates.
        .target(
            name: "LogshipMallocCounter",
            // swiftc links it with the Swift runtime, which it does not use: without Swift's
            // startup object (and with `--as-needed`, see malloc_counter.c) preloading it into
            // `cat` or `gzip` loads only libc.
            linkerSettings: [.unsafeFlags(["-nostartfiles"])]
        ),
        // YAML loading and validation, the component registry, wiring, demo, bench, self-metrics.
        .target(
            name: "LogshipRuntime",
            dependencies: [
                "LogshipCore", "LogshipTail", "LogshipTransforms", "LogshipOutputs", "LogshipReceiver", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The executable: argument parsing and bootstrap only.
        .executableTarget(
            name: "logship",
            dependencies: [
                "LogshipRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "LogshipCoreTests", dependencies: ["LogshipCore"]),
        .testTarget(
            name: "LogshipTailTests",
            dependencies: [
                "LogshipTail",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "LogshipTransformsTests", dependencies: ["LogshipTransforms"]),
        .testTarget(
            name: "LogshipOutputsTests",
            dependencies: [
                // The receiver is the Elasticsearch peer of the output's tests.
                "LogshipOutputs", "LogshipReceiver",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "LogshipReceiverTests",
            dependencies: [
                "LogshipReceiver", "LogshipOutputs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .testTarget(
            name: "LogshipRuntimeTests",
            dependencies: ["LogshipRuntime", "LogshipTail", "LogshipTransforms", "LogshipOutputs", "LogshipReceiver"]
        ),
        // Time and allocations per line of each stage of `pipelines/aetherra.yml`, outside
        // `swift test`: `swift package benchmark` (see the README). The benchmark plugin runs only
        // executable targets in a folder named `Benchmarks`.
        .executableTarget(
            name: "Stages",
            dependencies: [
                "LogshipCore", "LogshipTail", "LogshipTransforms", "LogshipOutputs", "LogshipRuntime",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/Benchmarks/Stages",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Runs the built `logship` binary against real files, a bulk endpoint and Prometheus.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "LogshipRuntime", "LogshipOutputs", "LogshipReceiver",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets
where [.executable, .test, .regular].contains(target.type) && target.name != "LogshipMallocCounter" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
