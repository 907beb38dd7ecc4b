import Foundation
import PostgresNIO
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

@Suite("PostgreSQL target")
struct PostgresTargetTests {
    @Test("a loopback URL defaults to no TLS; the password comes from the file and never shows")
    func loopback() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salur-pgtarget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pw").path
        try "s3cret-from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        let target = try PostgresTarget(url: "postgres://salur:in-url@127.0.0.1:5433/kupang", passwordFile: file)
        #expect(target.host == "127.0.0.1" && target.port == 5433 && target.user == "salur" && target.database == "kupang")
        #expect(target.password == "s3cret-from-file")
        #expect(target.tls == .disable)
        #expect(!target.description.contains("s3cret") && !target.description.contains("in-url"))
    }

    @Test("a remote host needs verified TLS: verify-full by default, disable or require refused")
    func remote() throws {
        #expect(try PostgresTarget(url: "postgres://salur@db.kupang.example/salur").tls == .verifyFull)
        for mode in ["disable", "require"] {
            #expect(throws: PostgresTarget.Invalid.self) {
                try PostgresTarget(url: "postgres://salur@db.kupang.example/salur?sslmode=\(mode)")
            }
        }
        #expect(throws: PostgresTarget.Invalid.self) { try PostgresTarget(url: "postgres://salur@127.0.0.1/salur?sslmode=sometimes") }
        #expect(throws: PostgresTarget.Invalid.self) { try PostgresTarget(url: "mysql://salur@127.0.0.1/salur") }
        #expect(throws: PostgresTarget.Invalid.self) { try PostgresTarget(url: "postgres://127.0.0.1/salur") }
        #expect(throws: PostgresTarget.Invalid.self) { try PostgresTarget(url: "postgres://salur@127.0.0.1") }
    }
}

@Suite("PostgreSQL schema", .enabled(if: PostgresScratch.isEnabled))
struct PostgresSchemaTests {
    @Test("a new database gets every step once; opening it again applies nothing")
    func migrates() async throws {
        let target = try await PostgresScratch.freshTarget()
        let ledger = try await PostgresLedger(target: target)
        defer { ledger.shutdown() }
        #expect(try await ledger.appliedSteps() == PostgresLedger.knownSteps)
        #expect(try await ledger.migrate() == [])
        let again = try await PostgresLedger(target: target)
        defer { again.shutdown() }
        #expect(try await again.appliedSteps() == PostgresLedger.knownSteps)
    }

    @Test("a database with a step this binary does not know is refused")
    func refusesNewer() async throws {
        let target = try await PostgresScratch.freshTarget()
        let ledger = try await PostgresLedger(target: target)
        try await ledger.withConnection("test") { connection in
            _ = try await connection.query("""
                INSERT INTO salur_migrations (position, name, applied_at) VALUES (1000, 'v99 from the future', '2030-01-01T00:00:00.000Z')
                """, logger: .init(label: "test"))
        }
        ledger.shutdown()
        await #expect(throws: StoreError.self) { _ = try await PostgresLedger(target: target) }
    }

    @Test("a wrong password is a clear error naming the server but not the password")
    func wrongPassword() async throws {
        var target = try await PostgresScratch.freshTarget()
        target.password = "definitely-wrong-password"
        do {
            _ = try await PostgresLedger(target: target)
            Issue.record("connected with a wrong password")
        } catch {
            let text = "\(error)"
            #expect(text.contains(target.host))
            #expect(!text.contains("definitely-wrong-password"))
        }
    }

    @Test("a statement that fails after its first rows fails its transaction with its own error, not a later 'transaction is aborted'")
    func errorAfterFirstRows() async throws {
        let ledger = try await PostgresLedger(target: try await PostgresScratch.freshTarget())
        defer { ledger.shutdown() }
        do {
            try await ledger.transaction("dividing", audited: false) { connection in
                // PostgresNIO hands back the rows before the statement has finished: the division
                // by zero at the third row arrives with the rows, and only reading them surfaces it.
                try await ledger.execute(connection, "SELECT 1 / (g - 3) FROM generate_series(1, 5) g")
                try await ledger.execute(connection, "SELECT 1")
            }
            Issue.record("the division by zero went unnoticed")
        } catch {
            let text = "\(error)"
            #expect(text.contains("SQLSTATE 22012"), "\(text)")
            #expect(!text.contains("25P02"))
        }
    }

    @Test("a server ending the connection, a deadlock past its reruns or a server starting up is 'unavailable', not a refusal")
    func transientStates() throws {
        for state in ["08006", "08003", "40001", "40P01", "53300", "55P03", "57014", "57P01", "57P03"] {
            #expect(PostgresLedger.isTransient(sqlState: state), "\(state)")
        }
        for state in ["22012", "23505", "42P01", "28P01", "3D000", "25P02"] {
            #expect(!PostgresLedger.isTransient(sqlState: state), "\(state)")
        }
    }

    @Test("no statement's rows are dropped unread: an error that arrives with them would be lost")
    func everyResultRead() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/SalurPostgres").standardized
        for name in try FileManager.default.contentsOfDirectory(atPath: sources.path) where name.hasSuffix(".swift") {
            let lines = try String(contentsOf: sources.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
            for (number, line) in lines.enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                // A query whose result is thrown away, or a bare query statement: use `execute`, which reads every row.
                let dropped = (code.hasPrefix("_ = try await connection.query(") || code.hasPrefix("_ = try? await connection.query(")
                               || code.hasPrefix("try await connection.query(")) && !code.contains(".collect()")
                #expect(!dropped, "\(name):\(number + 1): \(code)")
            }
        }
    }
}
