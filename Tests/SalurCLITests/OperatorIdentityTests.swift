import Foundation
import SalurTestSupport
import Testing

/// Maker-checker on an installed server: operators are OS users in the database folder's group,
/// each running salurctl under their own login. Played with real users: a maker queues, a checker
/// approves, a third login outside the group can do neither, and the audit log names both.
@Suite("operators as OS users", .timeLimit(.minutes(3)))
struct OperatorIdentityTests {
    static let tools = ["/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/groupadd", "/usr/sbin/groupdel", "/usr/bin/setpriv"]
    static var canMakeUsers: Bool { geteuid() == 0 && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Runs an administration command to completion; throws with its output when it fails.
    static func admin(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")): exit \(process.terminationStatus): \(output)")
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func mode(_ path: String) -> (mode: mode_t, gid: gid_t)? {
        var info = stat()
        return stat(path, &info) == 0 ? (info.st_mode & 0o7777, info.st_gid) : nil
    }

    @Test("a maker and a checker, each their own login in the group; a third login outside it can neither read nor write",
          .enabled(if: canMakeUsers, "needs root (useradd, groupadd, setpriv): it creates a group and three users for the test"))
    func makerAndChecker() async throws {
        let tag = String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let group = "slrt\(tag)", maker = "slrt\(tag)m", checker = "slrt\(tag)c", outsider = "slrt\(tag)o"
        defer {
            for user in [maker, checker, outsider] { try? Self.admin("/usr/sbin/userdel", [user]) }
            try? Self.admin("/usr/sbin/groupdel", [group])
        }
        try Self.admin("/usr/sbin/groupadd", [group])
        try Self.admin("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", "-G", group, maker])
        try Self.admin("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", "-G", group, checker])
        try Self.admin("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", outsider])
        let gid = try #require(getgrnam(group)).pointee.gr_gid

        // base (0755) holds a copy of salurctl (the build folder may not be open to others) and the
        // config; base/work is the shared folder, 2770 root:group, as /var/lib/salur is installed.
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-operators-XXXXXX").utf8CString)
        let base = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(chmod(base, 0o755) == 0)
        let salurctl = base + "/salurctl"
        try FileManager.default.copyItem(atPath: try BuiltProduct.path("salurctl", override: "SALURCTL"), toPath: salurctl)
        #expect(chmod(salurctl, 0o755) == 0)
        let work = base + "/work"
        #expect(mkdir(work, 0o700) == 0 && chown(work, 0, gid) == 0 && chmod(work, 0o2770) == 0)
        let config = base + "/salur.toml"
        try "[database]\npath = \"work/state/salur.db\"\n[batching]\ndistinct_approver = true\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(chmod(config, 0o644) == 0)
        let database = work + "/state/salur.db"

        func run(as user: String, _ arguments: [String]) async throws -> BuiltProduct.Output {
            let primary = try #require(getpwnam(user)).pointee.pw_gid
            return try await BuiltProduct.run("/usr/bin/setpriv", ["--reuid=\(user)", "--regid=\(primary)", "--init-groups", "--", salurctl]
                                              + arguments + (arguments.first == "demo" ? [] : ["--config", config]), in: work)
        }

        // The maker imports recipients, has their accounts opened, and queues a transfer each.
        for command in [["demo", "seed", "--dir", "demo", "--recipients", "5", "--opened", "5"],
                        ["recipients", "import", "demo/recipients.csv"], ["accounts", "export-requests", "-o", "requests.csv"],
                        ["accounts", "import-results", "demo/bank-results.csv"],
                        ["transfers", "enqueue", "--program", "BANSOS-NT", "--period", "2026-11", "--amount", "300000"]] {
            let done = try await run(as: maker, command)
            #expect(done.status == 0, "\(maker) \(command): \(done)")
        }
        // What the maker created belongs to the group, for the checker and salurd.
        #expect(Self.mode(work + "/state").map { $0.mode == 0o2770 && $0.gid == gid } == true)
        for file in [database, database + "-wal", database + "-shm"] {
            let found = Self.mode(file)
            #expect(found.map { $0.mode == 0o660 && $0.gid == gid } == true, "\(file): \(String(describing: found))")
        }

        // Four eyes: the maker may not approve what they queued; the checker may.
        let own = try await run(as: maker, ["batches", "approve", "--all"])
        #expect(own.status == 1 && own.stderr.contains("maker-checker"), "\(own)")
        let approved = try await run(as: checker, ["batches", "approve", "--all"])
        #expect(approved.status == 0, "\(approved)")

        // Outside the group: neither read nor write, and told why.
        for command in [["queue", "status"], ["batches", "approve", "--all"],
                        ["transfers", "enqueue", "--program", "BANSOS-NT", "--period", "2026-12", "--amount", "300000"]] {
            let shut = try await run(as: outsider, command)
            #expect(shut.status == 1, "\(outsider) \(command): \(shut)")
            #expect(shut.stderr.contains("permission denied for \(outsider); operators must be in its group \(group)"),
                    "\(outsider) \(command): \(shut)")
        }

        // The audit log names both, each for what they did.
        let log = try await run(as: checker, ["audit", "log", "--json", "--limit", "100"])
        #expect(log.status == 0, "\(log)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let actors = Dictionary(grouping: rows, by: { $0["action"] as? String ?? "" }).mapValues { Set($0.compactMap { $0["actor"] as? String }) }
        #expect(actors["recipients.import"] == [maker], "\(actors)")
        #expect(actors["batch.approve"] == [checker], "\(actors)")
        let verified = try await run(as: outsider, ["audit", "verify"])
        #expect(verified.status == 1)

        // Read access alone: the look-only commands still work (read-only open); a change is refused in words.
        for file in [database, database + "-wal", database + "-shm"] { #expect(chmod(file, 0o640) == 0) }
        #expect(chmod(work + "/state", 0o2750) == 0)
        let status = try await run(as: checker, ["queue", "status"])
        #expect(status.status == 0 && !status.stdout.isEmpty, "\(status)")
        let intact = try await run(as: checker, ["audit", "verify"])
        #expect(intact.status == 0 && intact.stdout.hasPrefix("audit log intact:"), "\(intact)")
        let change = try await run(as: checker, ["transfers", "enqueue", "--program", "BANSOS-NT", "--period", "2026-12", "--amount", "300000"])
        #expect(change.status == 1 && change.stderr.contains("you may read it but not change it"), "\(change)")
    }
}
