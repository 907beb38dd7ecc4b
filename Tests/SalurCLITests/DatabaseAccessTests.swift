import Foundation
import GRDB
import SalurTestSupport
import Testing

/// How `salurctl` opens the database: read commands never create one and open it read-only; a file
/// it creates is closed to others whatever the umask; a shared login may be refused; a full disk is
/// said in words.
@Suite("salurctl database access", .timeLimit(.minutes(5)))
struct DatabaseAccessTests {
    static let recipients = """
        nik,name,program,district,phone
        5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001
        5371015502850002,Maria Bunga,BANSOS-NT,Alak,081237000002

        """

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    /// The login name of this process's real user, as salurctl sees it.
    static func me() -> String {
        guard let record = getpwuid(getuid()), let name = record.pointee.pw_name else { return "uid:\(getuid())" }
        return String(cString: name)
    }

    @Test("read commands on a missing database: an error naming the path and the config key, and no database made")
    func readCommandsNeverCreate() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        for command in [["queue", "status"], ["audit", "verify"], ["audit", "log"], ["batches", "list"], ["batches", "show", "B-2026-11-0001"],
                        ["recipients", "list"], ["accounts", "status"], ["agreements", "list"], ["budgets", "list"],
                        ["reconcile", "status"], ["reconcile", "exceptions"], ["reconcile", "flagged"],
                        // Changes that cannot start a treasury do not make one either.
                        ["accounts", "export-requests", "-o", "requests.csv"], ["batches", "approve", "--all"], ["transfers", "retry", "--failed"]] {
            let result = try await ws.run(command)
            #expect(result.status == 1, "\(command): \(result)")
            #expect(result.stderr.contains("no database at \(ws.database): check [database] path in \(ws.config)"), "\(command): \(result)")
            #expect(!result.stdout.contains("intact"), "\(command): \(result)")
        }
        let daemon = try await ws.run(["daemon", "status"])
        #expect(daemon.status == 0, "\(daemon)")
        #expect(!FileManager.default.fileExists(atPath: ws.dir.file("state")), "a read command made the database folder")

        let check = try await ws.run(["db", "migrate", "--check"])
        #expect(check.status == 1 && check.stdout.contains("0 of "), "\(check)")
        #expect(!FileManager.default.fileExists(atPath: ws.dir.file("state")), "db migrate --check made the database folder")

        // `db migrate` makes one on purpose; then the read commands work.
        let migrated = try await ws.run(["db", "migrate"])
        #expect(migrated.status == 0, "\(migrated)")
        let verified = try await ws.run(["audit", "verify"])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("audit log intact: 0 rows"), "\(verified)")
    }

    @Test("a database made under umask 000 is 0600 (its -wal/-shm too) in a 0700 folder; 0660 in a folder shared with a group")
    func modesWhateverTheUmask() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("r.csv", Self.recipients)
        let salurctl = try BuiltProduct.path("salurctl", override: "SALURCTL")
        func underUmask(_ mask: String, _ arguments: [String]) async throws -> BuiltProduct.Output {
            try await BuiltProduct.run("/bin/sh", ["-c", "umask \(mask); exec \"$0\" \"$@\"", salurctl] + arguments, in: ws.dir.path)
        }
        let imported = try await underUmask("000", ["recipients", "import", "r.csv", "--config", ws.config])
        #expect(imported.status == 0, "\(imported)")
        #expect(Self.mode(ws.dir.file("state")) == 0o700)
        for file in [ws.database, ws.database + "-wal", ws.database + "-shm"] {
            #expect(Self.mode(file) == 0o600, "\(file): \(String(Self.mode(file) ?? 0, radix: 8))")
        }

        // A folder shared with its group (setgid), as /var/lib/salur is: group read-write, never others.
        let shared = ws.dir.file("shared")
        #expect(mkdir(shared, 0o2770) == 0 && chmod(shared, 0o2770) == 0)
        try ws.dir.write("shared.toml", "[database]\npath = \"shared/salur.db\"\n")
        let again = try await underUmask("022", ["recipients", "import", "r.csv", "--config", ws.dir.file("shared.toml")])
        #expect(again.status == 0, "\(again)")
        for file in ["salur.db", "salur.db-wal", "salur.db-shm"].map({ shared + "/" + $0 }) {
            #expect(Self.mode(file) == 0o660, "\(file): \(String(Self.mode(file) ?? 0, radix: 8))")
        }
    }

    @Test("[operators] refuse_accounts: that login may look but not change anything, and makes no database")
    func refusedAccount() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("r.csv", Self.recipients)
        try ws.dir.write("refusing.toml", "[database]\npath = \"state/salur.db\"\n[operators]\nrefuse_accounts = [\"\(Self.me())\"]\n")
        let refusing = ws.dir.file("refusing.toml")
        let refused = try await Salurctl.run(["recipients", "import", "r.csv", "--config", refusing], in: ws.dir)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("\(Self.me()) may not change the treasury ([operators] refuse_accounts in \(refusing))"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: ws.database))

        #expect(try await ws.run(["recipients", "import"], ["r.csv"]).status == 0)
        let looked = try await Salurctl.run(["queue", "status", "--config", refusing], in: ws.dir)
        #expect(looked.status == 0, "\(looked)")
        let exported = try await Salurctl.run(["accounts", "export-requests", "-o", "req.csv", "--config", refusing], in: ws.dir)
        #expect(exported.status == 1 && exported.stderr.contains("may not change the treasury"), "\(exported)")
        let audit = try await ws.run(["audit", "log", "--json"])
        #expect(!audit.stdout.contains("accounts.export_requests"), "\(audit)")

        let empty = try await Salurctl.run(["config", "check", "--config", refusing], in: ws.dir)
        #expect(empty.status == 0, "\(empty)")
        try ws.dir.write("bad.toml", "[database]\npath = \"state/salur.db\"\n[operators]\nrefuse_accounts = [\"\"]\n")
        let bad = try await Salurctl.run(["config", "check", "--config", ws.dir.file("bad.toml")], in: ws.dir)
        #expect(bad.status == 1 && bad.stderr.contains("operators.refuse_accounts"), "\(bad)")
    }

    static func canMountTmpfs() -> Bool {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-tmpfs-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return false }
        let dir = String(cString: made)
        defer { rmdir(dir) }
        guard (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir])) == 0 else { return false }
        return (try? run("/bin/umount", [dir])) == 0
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("a full disk (a small tmpfs): the clear message, exit 1, and the database unchanged",
          .enabled(if: canMountTmpfs(), "needs root and mount -t tmpfs; the SQLITE_FULL mapping itself is in the SQLite database file suite"))
    func diskFull() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let disk = ws.dir.file("state")
        #expect(mkdir(disk, 0o700) == 0)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", disk])
        defer { try? Self.run("/bin/umount", [disk]) }
        #expect(try await ws.run(["db", "migrate"]).status == 0)
        #expect(try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "20000", "--opened", "0"], in: ws.dir).status == 0)
        let full = try await ws.run(["recipients", "import"], ["demo/recipients.csv"])
        #expect(full.status == 1, "\(full)")
        #expect(full.stderr == "salurctl: the disk holding \(ws.database) is full; nothing was changed (free space there, then run the command again)\n",
                "\(full)")
        let verified = try await ws.run(["audit", "verify"])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("audit log intact: 0 rows"), "\(verified)")
        let count = try await DatabaseQueue(path: ws.database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM recipient") }
        #expect(count == 0)
    }
}
