// swift-tools-version:6.2
import PackageDescription

/// Salur: non-cash social-aid and BPJS premium payments through a regional bank's SNAP-BI API.
/// Arrows point down only: executables → CLI → Setup, Engine, Reports → SQLite, Postgres, Bank, Config → Store → Core.
///
/// - SalurStore: the store protocols, records and rules, backend-neutral (no database driver).
/// - SalurSQLite: the SQLite file (GRDB) and its engine lock; SalurPostgres: PostgreSQL (PostgresNIO).
///   Each depends on SalurStore, never on the other.
/// - SalurEngine: the posting engine, against the store protocols and the bank adapter; it knows no
///   concrete store.
/// - SalurSetup: turns a configuration into working parts: opens the store `[database]` names,
///   checks a configuration as start-up does, builds the bank connection from `[bank]` (switchable
///   on reload, with the reload policy), copies a SQLite file into PostgreSQL. The one library that
///   depends on both stores.
/// - Executables wire: salurd (process, signals, systemd, engine service), salurctl (SalurCLI),
///   salur-bench.
///
/// Libraries → what they depend on (test support, the bank simulator and the engine simulator SalurSim aside):
///     SalurCLI      → SalurSetup, SalurEngine, SalurReports, SalurSQLite, SalurPostgres, ...
///     SalurSetup    → SalurSQLite, SalurPostgres, SalurBank, SalurConfig, SalurStore, SalurCore
///     SalurEngine   → SalurStore, SalurBank, SalurConfig, SalurCore
///     SalurReports  → SalurStore, SalurStatements, SalurCore
///     SalurSQLite   → SalurStore, SalurCore (+ GRDB)
///     SalurPostgres → SalurStore, SalurCore (+ PostgresNIO)
///     SalurStore    → SalurCore
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Salur",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "salurctl", targets: ["salurctl"]),
        .executable(name: "salurd", targets: ["salurd"]),
        .executable(name: "salur-banksim", targets: ["salur-banksim"]),
        .executable(name: "salur-bench", targets: ["salur-bench"]),
        .executable(name: "salur-sim", targets: ["salur-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(name: "SalurCore"),
        .target(name: "SalurStatements", dependencies: ["SalurCore", "CLibXML2"]),
        .target(
            name: "SalurConfig",
            dependencies: ["SalurCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "SalurStore",
            dependencies: [
                "SalurCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SalurSQLite",
            dependencies: [
                "SalurCore", "SalurStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "SalurPostgres",
            dependencies: [
                "SalurCore", "SalurStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SalurTestSupport",
            dependencies: ["SalurCore", "SalurPostgres", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SalurBank",
            dependencies: [
                "SalurCore", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SalurEngine",
            dependencies: [
                "SalurCore", "SalurStore", "SalurBank", "SalurConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "SalurSetup",
            dependencies: [
                "SalurCore", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurBank", "SalurConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SalurReports",
            dependencies: ["SalurCore", "SalurStore", "SalurStatements", "CXLSXWriter"]
        ),
        .target(
            name: "BankSimulator",
            dependencies: [
                "SalurCore", "SalurStatements",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SalurCLI",
            dependencies: [
                "SalurCore", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurSetup", "SalurConfig", "SalurEngine", "SalurReports",
                "SalurStatements", "SalurBank",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "salurctl", dependencies: ["SalurCLI"]),
        .executableTarget(
            name: "salurd",
            dependencies: [
                "SalurCore", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurSetup", "SalurConfig", "SalurEngine", "SalurBank",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "salur-banksim",
            dependencies: ["BankSimulator", "SalurCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "SalurSim",
            dependencies: [
                "SalurCore", "SalurStore", "SalurSQLite", "SalurBank", "SalurEngine", "BankSimulator", "SalurCLI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "salur-sim",
            dependencies: ["SalurSim", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "salur-bench",
            dependencies: [
                "SalurCore", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurTestSupport", "SalurCLI", "SalurBank", "SalurEngine", "SalurConfig", "BankSimulator", "SalurReports", "SalurStatements",
                "SalurSetup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SalurCoreTests", dependencies: ["SalurCore"]),
        .testTarget(name: "SalurSimTests", dependencies: ["SalurTestSupport", "salur-sim"]),
        .testTarget(name: "SalurStatementsTests", dependencies: ["SalurStatements", "SalurCore"]),
        .testTarget(name: "SalurConfigTests", dependencies: ["SalurConfig"]),
        .testTarget(name: "SalurStoreTests", dependencies: ["SalurStore", "SalurSQLite", "SalurPostgres", "SalurTestSupport", "SalurCore"]),
        .testTarget(name: "SalurBankTests", dependencies: ["SalurBank", "CCurl", "BankSimulator"]),
        .testTarget(name: "SalurEngineTests", dependencies: ["SalurEngine", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurTestSupport", "SalurBank", "BankSimulator", "SalurCLI",
                                                       .product(name: "GRDB", package: "GRDB.swift"),
                                                       .product(name: "Prometheus", package: "swift-prometheus")]),
        .testTarget(name: "SalurCLITests", dependencies: ["SalurCLI", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurTestSupport"]),
        .testTarget(name: "SalurdTests", dependencies: ["salurd", "SalurCLI", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurTestSupport", "SalurCore", "SalurBank", "BankSimulator", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SalurPayrollTests", dependencies: ["SalurCore", "SalurConfig", "SalurStore", "SalurSQLite", "SalurPostgres", "SalurTestSupport", "SalurEngine", "SalurBank", "BankSimulator", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "SalurReportsTests",
            dependencies: [
                "SalurReports", "SalurStatements", "SalurStore", "SalurCore", "SalurConfig", "SalurEngine", "SalurBank", "BankSimulator",
                "SalurCLI", "SalurSQLite", "SalurPostgres", "SalurTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "BankSimulatorTests",
            dependencies: [
                "BankSimulator", "SalurCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
