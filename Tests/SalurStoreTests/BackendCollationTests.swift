import Foundation
import PostgresNIO
import SalurCore
import SalurPostgres
@testable import SalurSQLite
@testable import SalurStore
import SalurTestSupport
import Testing

/// A PostgreSQL server's databases often sort text by a language's rules (`en_US.UTF-8`), where
/// `kota Baru` comes before `Maulafa`; SQLite sorts by bytes. Listings and batch numbering must
/// not depend on the server's locale.
@Suite("PostgreSQL store on a database with a language collation", .enabled(if: PostgresScratch.isEnabled))
struct BackendCollationTests {
    @Test("districts, programmes and batch numbering follow SQLite's byte order on an en-US database")
    func byteOrder() async throws {
        let ledger = try await PostgresLedger(target: try await Self.englishDatabase(), clock: .testDay)
        defer { ledger.shutdown() }
        // The database really does sort otherwise.
        let english = try await ledger.withConnection("test") { connection in
            try await connection.query("SELECT 'kota Baru' < 'Maulafa'", logger: Logger(label: "test")).collect().first?.decode(Bool.self)
        }
        #expect(english == true)

        let s = TestStore(backend: .postgres, store: ledger, sqlitePath: nil, directory: nil, postgres: ledger)
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        _ = try await ledger.importRecipients(Fixture.recipients(Fixture.recipientsCSV + "5371050303900005,Gabriel Riwu,PKH,kota Baru,\n"),
                                              source: Fixture.source, actor: "tester")
        #expect(try await ledger.openingStatus(by: .district).map(\.group) == ["Alak", "Maulafa", "Oebobo", "kota Baru"])

        let rules = BatchingRules(maxItems: 10, maxAmount: Rupiah(1_000_000), approvalRequired: true)
        let transfers = ["bansos", "PKH", "Zakat"].enumerated().map { index, program in
            NewTransfer(kind: .intrabank, dedupeKey: "k\(index)", recipientID: nil, nik: nil, beneficiaryName: "X", beneficiaryAccount: "1",
                        beneficiaryBankCode: nil, program: program, period: "2026-11", amount: Rupiah(10), remark: "")
        }
        let summary = try await ledger.enqueue(transfers, actor: "maker", rules: rules, auditAction: "test", auditSubject: "test")
        #expect(summary.batches == [batchID(1), batchID(2), batchID(3)])
        let programmes = try await ledger.batches(state: nil, id: nil).reversed().map(\.program)
        #expect(programmes == ["PKH", "Zakat", "bansos"]) // byte order, as SQLite numbers them
    }

    /// A fresh database whose default collation is ICU's en-US.
    static func englishDatabase() async throws -> PostgresTarget {
        let adminURL = try #require(PostgresScratch.adminURL)
        let admin = try PostgresTarget(url: adminURL, passwordFile: PostgresScratch.passwordFile)
        let name = "salur_icu_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        var configuration = PostgresClient.Configuration(host: admin.host, port: admin.port, username: admin.user,
                                                         password: admin.password, database: admin.database, tls: .disable)
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "salur.test.postgres"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: """
                CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'
                """))
        }
        var components = try #require(URLComponents(string: adminURL))
        components.path = "/" + name
        return try PostgresTarget(url: try #require(components.string), passwordFile: PostgresScratch.passwordFile)
    }
}
