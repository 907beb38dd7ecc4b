import Foundation
import GRDB
@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// How `SQLiteLedger` opens its file: the modes of what it creates, which opens may create, the
/// read-only open, and a full disk in words.
@Suite("SQLite database file")
struct DatabaseFileModeTests {
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    @Test("created in a private folder: the file and its -wal/-shm 0600, a folder it makes 0700")
    func privateModes() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("state/inner/salur.db")
        let ledger = try SQLiteLedger(path: path)
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        #expect(Self.mode(dir.file("state")) == 0o700)
        #expect(Self.mode(dir.file("state/inner")) == 0o700)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(Self.mode(file) == 0o600, "\(file): \(String(Self.mode(file) ?? 0, radix: 8))")
        }
    }

    @Test("created in a folder shared with its group (setgid): the file and its -wal/-shm 0660, a folder it makes 2770")
    func sharedModes() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        #expect(chmod(dir.path, 0o2770) == 0)
        let path = dir.file("state/salur.db")
        let ledger = try SQLiteLedger(path: path)
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        #expect(Self.mode(dir.file("state")) == 0o2770)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(Self.mode(file) == 0o660, "\(file): \(String(Self.mode(file) ?? 0, radix: 8))")
        }
    }

    @Test("an existing file open to others loses that access when its owner opens it")
    func closesToOthers() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        _ = try SQLiteLedger(path: path)
        #expect(chmod(path, 0o644) == 0)
        _ = try SQLiteLedger(path: path, access: .existing)
        #expect(Self.mode(path) == 0o640)
    }

    @Test("only .create makes a database: .existing and .readOnly name the missing path and leave nothing behind")
    func missingIsAnError() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("typo/salur.db")
        for access in [SQLiteLedger.Access.existing, .readOnly] {
            #expect {
                _ = try SQLiteLedger(path: path, access: access)
            } throws: { error in
                guard case .missing(let named) = error as? StoreError else { return false }
                return named == path && "\(error)" == "no database at \(path)"
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("typo")))
    }

    @Test("read-only: reads what is there, refuses any write, and applies no schema step")
    func readOnly() async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        do {
            let writer = try SQLiteLedger(path: path)
            try writer.seed()
        }
        let before = try dump(path)
        let reader = try SQLiteLedger(path: path, access: .readOnly)
        _ = try reader.queueStatus(now: Date())
        #expect(try reader.recipients(matching: RecipientFilter()).count == 4)
        let newcomer = "nik,name,program,district,phone\n5371034507800005,Gabriel Tefa,PKH,Oebobo,081237000005\n"
        #expect(throws: (any Error).self) {
            _ = try reader.importRecipients(Fixture.recipients(newcomer), source: Fixture.source, actor: "tester")
        }
        #expect(try dump(path) == before)
        // The -wal and -shm stay beside the file after the last connection closed: a user who may
        // only read it (and not write its folder) can still open it.
        #expect(FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm"))
    }

    @Test("read-only on a database lacking schema steps: refused, naming `salurctl db migrate`")
    func readOnlyNeedsCurrentSchema() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE unrelated (x)") }
        #expect {
            _ = try SQLiteLedger(path: path, access: .readOnly)
        } throws: { error in
            "\(error)".contains("salurctl db migrate")
        }
    }

    @Test("a full disk (SQLITE_FULL): StoreError.diskFull naming the file, and nothing was changed")
    func diskFull() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        try ledger.seed()
        let before = try dump(path)
        // The writer connection may grow the file no further: what a full disk does to SQLite.
        try ledger.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let csv = "nik,name,program,district,phone\n" + (1...3_000).map {
            "537103150285\(String(format: "%04d", $0)),Yohanes Ndun,BANSOS-NT,Oebobo,0812370\(String(format: "%05d", $0))"
        }.joined(separator: "\n") + "\n"
        #expect {
            _ = try ledger.importRecipients(Fixture.recipients(csv), source: Fixture.source, actor: "tester")
        } throws: { error in
            guard case .diskFull(let named) = error as? StoreError else { return false }
            return named == path && "\(error)".hasPrefix("the disk holding \(path) is full; nothing was changed")
        }
        #expect(StoreError.isDiskFull(StoreError.diskFull(path: path)))
        #expect(try dump(path) == before)
    }
}
