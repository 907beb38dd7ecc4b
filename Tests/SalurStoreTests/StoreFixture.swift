import Foundation
import GRDB
@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// A fresh folder under the system temporary directory; the test removes it with `defer { dir.remove() }`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-store-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Four recipients of Kota Kupang, two programmes, three districts.
enum Fixture {
    static let yohanes = "5371031502850001" // Oebobo, BANSOS-NT
    static let maria = "5371015502850002"   // Alak, BANSOS-NT
    static let petrus = "5371020101700003"  // Maulafa, PKH
    static let theresia = "5371034507800004" // Oebobo, PKH
    static let source = SourceFile(path: "recipients.csv", sha256: String(repeating: "a", count: 64))
    static let results = SourceFile(path: "bank-results.csv", sha256: String(repeating: "b", count: 64))

    static let recipientsCSV = """
        nik,name,program,district,phone
        \(yohanes),Yohanes Ndun,BANSOS-NT,Oebobo,081237000001
        \(maria),Maria Bunga,BANSOS-NT,Alak,081237000002
        \(petrus),Petrus Lay,PKH,Maulafa,081237000003
        \(theresia),Theresia Mooy,PKH,Oebobo,081237000004

        """

    static func recipients(_ csv: String = recipientsCSV, file: String = "recipients.csv") throws -> [RecipientFile.Row] {
        try RecipientFile.parse(bytes: Array(csv.utf8), file: file)
    }

    /// A results file from `lines` of `nik,status,account_no,reason` (header added).
    static func results(_ lines: [String], file: String = "bank-results.csv") throws -> [OpeningResultFile.Row] {
        try OpeningResultFile.parse(bytes: Array((["nik,status,account_no,reason"] + lines).joined(separator: "\n").utf8), file: file)
    }
}

extension SQLiteLedger {
    /// Imports the fixture, exports requests, and applies `answers` (nik → row text after the NIK).
    func seed(answers: [String] = []) throws {
        _ = try importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        _ = try exportOpeningRequests(actor: "tester") { _ in "sha" }
        if !answers.isEmpty {
            _ = try applyOpeningResults(Fixture.results(answers), source: Fixture.results, actor: "tester")
        }
    }

    /// Opening state by NIK.
    func states() throws -> [String: AccountOpening] {
        Dictionary(uniqueKeysWithValues: try recipients(matching: RecipientFilter()).map { ($0.recipient.nik.digits, $0.recipient.opening) })
    }

    func auditCount() throws -> Int { try auditTail(limit: 1_000_000).count }
}

/// Every row of every table, read over a connection of our own: what "the database is unchanged" compares.
func dump(_ path: String) throws -> [String] {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
        try ["recipient ORDER BY id", "recipient_tally ORDER BY program, district, opening_state, rejection_reason", "audit_log ORDER BY seq"].flatMap { table in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table.prefix { $0 != " " }): \($0.description)" }
        }
    }
}

/// Runs `body` and returns the `ImportFailure` it throws, as `FILE:LINE: field: reason` lines.
func importFailure(_ body: () throws -> Void) -> [String] {
    do {
        try body()
        Issue.record("expected an ImportFailure, but nothing was thrown")
    } catch let failure as ImportFailure {
        return failure.issues.map(\.description)
    } catch {
        Issue.record("expected an ImportFailure, got \(error)")
    }
    return []
}
