import Foundation
import SalurTestSupport
import Testing

/// Maker-checker on an installed server: operators are OS users in the database folder's group,
/// each running salurctl under their own login. Played with real users: a maker queues, a checker
/// approves, a third login outside the group can do neither, and the audit log names both.
@Suite("operators as OS users", .timeLimit(.minutes(5)))
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

    /// A new folder open to every user (0755) under the temporary folder, holding a copy of salurctl
    /// (0755): the build folder may not be open to the other logins a test runs it as.
    static func publicCopy(prefix: String) throws -> (base: String, salurctl: String) {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let base = String(cString: made)
        let salurctl = base + "/salurctl"
        try FileManager.default.copyItem(atPath: try BuiltProduct.path("salurctl", override: "SALURCTL"), toPath: salurctl)
        guard chmod(base, 0o755) == 0, chmod(salurctl, 0o755) == 0 else { throw POSIXError(.EPERM) }
        return (base, salurctl)
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
        let (base, salurctl) = try Self.publicCopy(prefix: "salur-operators")
        defer { try? FileManager.default.removeItem(atPath: base) }
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

    @Test("salurd's sandbox (PrivateUsers=yes maps only root, salur and group salur) still reaches a database an operator made",
          .enabled(if: canMakeUsers && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
                   "needs root (useradd, groupadd, setpriv, unshare): it creates a group and two users for the test"))
    func serviceInItsOwnUserNamespace() async throws {
        let tag = String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let group = "slrt\(tag)", service = "slrt\(tag)s", maker = "slrt\(tag)m"
        defer {
            for user in [service, maker] { try? Self.admin("/usr/sbin/userdel", [user]) }
            try? Self.admin("/usr/sbin/groupdel", [group])
        }
        try Self.admin("/usr/sbin/groupadd", [group])
        try Self.admin("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", "-g", group, service])
        try Self.admin("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", "-G", group, maker])
        let gid = try #require(getgrnam(group)).pointee.gr_gid
        let serviceUID = try #require(getpwnam(service)).pointee.pw_uid
        let makerGID = try #require(getpwnam(maker)).pointee.pw_gid

        let (base, salurctl) = try Self.publicCopy(prefix: "salur-sandbox")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let work = base + "/work"
        #expect(mkdir(work, 0o700) == 0 && chown(work, serviceUID, gid) == 0 && chmod(work, 0o2770) == 0)
        let config = base + "/salur.toml"
        try "[database]\npath = \"work/salur.db\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(chmod(config, 0o644) == 0)
        try "nik,name,program,district,phone\n5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001\n"
            .write(toFile: base + "/r.csv", atomically: true, encoding: .utf8)
        #expect(chmod(base + "/r.csv", 0o644) == 0)

        // The operator makes the database: maker:group 0660.
        let made = try await BuiltProduct.run("/usr/bin/setpriv", ["--reuid=\(maker)", "--regid=\(makerGID)", "--init-groups", "--", salurctl,
                                                                  "recipients", "import", base + "/r.csv", "--config", config], in: work)
        #expect(made.status == 0, "\(made)")

        // The service in a user namespace of its own mapping only root, its user and its group, as
        // systemd's PrivateUsers=yes does (the maker shows as nobody there), and no other group.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--user", "--", "/bin/sh", "-c",
                             "echo ready; read go; exec /usr/bin/setpriv --reuid=\(serviceUID) --regid=\(gid) --clear-groups -- "
                             + "\(salurctl) accounts export-requests -o \(work)/requests.csv --config \(config)"]
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var ready = Data()
        while !String(decoding: ready, as: UTF8.self).contains("ready\n") {
            guard let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty else { break }
            ready.append(byte)
        }
        let pid = process.processIdentifier
        try "0 0 1\n\(serviceUID) \(serviceUID) 1\n".write(toFile: "/proc/\(pid)/uid_map", atomically: false, encoding: .utf8)
        try "0 0 1\n\(gid) \(gid) 1\n".write(toFile: "/proc/\(pid)/gid_map", atomically: false, encoding: .utf8)
        try input.fileHandleForWriting.write(contentsOf: Data("go\n".utf8))
        try input.fileHandleForWriting.close()
        let rest = try output.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: ready + rest, as: UTF8.self))")
        #expect(FileManager.default.fileExists(atPath: work + "/requests.csv"))

        let log = try await BuiltProduct.run("/usr/bin/setpriv", ["--reuid=\(maker)", "--regid=\(makerGID)", "--init-groups", "--", salurctl,
                                                                 "audit", "log", "--json", "--config", config], in: work)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]], "\(log)")
        #expect(rows.contains { $0["action"] as? String == "accounts.export_requests" && $0["actor"] as? String == service }, "\(log)")
    }
}
