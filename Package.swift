// swift-tools-version:6.2
import PackageDescription

/// One set of settings for every Swift target, as Hummingbird does it.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The programs we ship, in release builds on Linux, are linked by lld (in every Swift toolchain
/// for Linux) with their relative relocations packed (DT_RELR, glibc 2.36: Debian 12), and do not
/// export their own symbols to the dynamic loader (`-static-stdlib` does, which lets `dladdr` name
/// a crash report's frames): at start the loader reads kilobytes of relocation records and
/// symbols instead of megabytes (decision 82).
let programLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "ipm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ipm", targets: ["ipm"]),
        .executable(name: "ipm-server", targets: ["ipm-server"]),
        .executable(name: "ipm-tui", targets: ["ipm-tui"]),
        .executable(name: "ups-sandbox", targets: ["ups-sandbox"]),
        .executable(name: "ipm-bench", targets: ["ipm-bench"]),
        .plugin(name: "EmbedMigrations", targets: ["EmbedMigrations"]),
        .plugin(name: "NewMigration", targets: ["NewMigration"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: Domain
        .target(name: "IPMDomain", swiftSettings: swiftSettings),

        // MARK: Database
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "IPMMigrationKit",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IPMPostgres",
            dependencies: [
                "IPMDomain",
                "CLibPQ",
                "IPMMigrationKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedMigrations"]
        ),

        // MARK: Password hashing (the domain's PasswordHasher with bcrypt; not persistence)
        .target(
            name: "IPMPasswordHashing",
            dependencies: [
                "IPMDomain",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: OAuth
        .target(
            name: "IPMOAuth",
            dependencies: [
                "IPMDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The sandbox and its command line (`ups-sandbox`): no product code, no libpq.
        .target(
            name: "UPSSandbox",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The UPS.com user's side of a sign-in, driven over HTTP (tests and benchmarks).
        .target(
            name: "UPSSandboxBrowser",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Outbound events
        .target(
            name: "IPMWebhooks",
            dependencies: [
                "IPMDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The admin console seam (every console front stands on it)
        .target(name: "IPMConsole", dependencies: ["IPMDomain"], swiftSettings: swiftSettings),
        // The JSON API's wire models: the server encodes them, the client and `--json` output use the same.
        .target(name: "IPMAPIModels", dependencies: ["IPMDomain"], swiftSettings: swiftSettings),
        // The admin console over an ipm-server's JSON API.
        .target(
            name: "IPMAPIClient",
            dependencies: [
                "IPMConsole", "IPMAPIModels", "IPMDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Fronts
        .target(
            name: "IPMHTTP",
            dependencies: [
                "IPMDomain", "IPMAPIModels",
                .product(name: "Hummingbird", package: "hummingbird"),
                // Who calls comes from authenticator middleware into the request context (Authentication/).
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The HTTP server's limits (Server/HTTPServerLimits.swift) are set on its channel pipeline.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IPMCLI",
            dependencies: [
                "IPMDomain", "IPMConsole", "IPMAPIModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "IPMTUI", dependencies: ["IPMDomain", "IPMConsole"], swiftSettings: swiftSettings),

        // MARK: Composition root
        .target(
            name: "IPMApp",
            dependencies: [
                "IPMDomain", "IPMConsole", "IPMAPIClient", "IPMPostgres", "IPMPasswordHashing", "IPMOAuth", "IPMWebhooks", "IPMHTTP", "IPMCLI",
                "IPMTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "IPMMigrationKit",
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "ipm",
            dependencies: ["IPMApp"],
            swiftSettings: swiftSettings,
            linkerSettings: programLinkerSettings
        ),
        .executableTarget(
            name: "ipm-server",
            dependencies: ["IPMApp"],
            swiftSettings: swiftSettings,
            linkerSettings: programLinkerSettings
        ),
        .executableTarget(
            name: "ipm-tui",
            dependencies: ["IPMApp"],
            swiftSettings: swiftSettings,
            linkerSettings: programLinkerSettings
        ),
        .executableTarget(
            name: "ups-sandbox",
            dependencies: ["UPSSandbox"],
            swiftSettings: swiftSettings,
            linkerSettings: programLinkerSettings
        ),
        // Benchmarks (bench/README.md): measures, not tests; drives the real engine and the sandbox.
        .executableTarget(
            name: "ipm-bench",
            dependencies: [
                "IPMApp", "IPMDomain", "IPMPostgres", "IPMPasswordHashing", "IPMOAuth", "UPSSandbox", "UPSSandboxBrowser",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "bench/ipm-bench",
            swiftSettings: swiftSettings,
            linkerSettings: programLinkerSettings
        ),

        // MARK: Plugins (thin; the logic is IPMMigrationKit)
        .executableTarget(
            name: "ipm-migration-tool",
            dependencies: ["IPMMigrationKit"],
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["ipm-migration-tool"]
        ),
        .plugin(
            name: "NewMigration",
            capability: .command(
                intent: .custom(verb: "new-migration", description: "Create the next numbered migration file in migrations/"),
                permissions: [.writeToPackageDirectory(reason: "Writes the new migration file into migrations/")]
            ),
            dependencies: ["ipm-migration-tool"]
        ),

        // MARK: Tests
        .target(
            name: "IPMTestSupport",
            dependencies: [
                "IPMDomain", "IPMPostgres", "UPSSandboxBrowser",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/IPMTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "IPMDomainTests", dependencies: ["IPMDomain"], swiftSettings: swiftSettings),
        .testTarget(name: "IPMMigrationKitTests", dependencies: ["IPMMigrationKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IPMPostgresTests",
            dependencies: ["IPMPostgres", "IPMPasswordHashing", "IPMTestSupport", "IPMDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UPSSandboxTests",
            dependencies: [
                "UPSSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IPMHTTPTests",
            dependencies: [
                "IPMHTTP", "IPMAPIModels", "IPMDomain", "IPMPostgres", "IPMPasswordHashing", "IPMTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IPMOAuthTests",
            dependencies: [
                "IPMOAuth", "IPMDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IPMOAuthEngineTests",
            dependencies: [
                "IPMOAuth", "IPMWebhooks", "IPMDomain", "IPMPostgres", "IPMPasswordHashing", "IPMTestSupport", "UPSSandbox", "IPMHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "IPMCLITests", dependencies: ["IPMCLI", "IPMConsole", "IPMDomain"], swiftSettings: swiftSettings),
        .testTarget(name: "IPMConsoleTests", dependencies: ["IPMConsole", "IPMDomain"], swiftSettings: swiftSettings),
        .testTarget(name: "IPMTUITests", dependencies: ["IPMTUI", "IPMConsole", "IPMDomain"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IPMAppTests",
            dependencies: [
                "IPMApp", "IPMTestSupport", "IPMDomain", "IPMPostgres", "IPMPasswordHashing", "IPMOAuth", "UPSSandbox",
                .product(name: "Logging", package: "swift-log"),
                // ServerApplicationTests runs `buildApplication` in-process, in a service group.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
