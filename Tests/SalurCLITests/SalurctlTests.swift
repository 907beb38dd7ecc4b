import Foundation
import GRDB
import Testing

/// `salurctl` end to end, through the built executable: exit codes, messages and JSON of DESIGN.md §6.
@Suite("salurctl", .timeLimit(.minutes(5)))
struct SalurctlTests {
    static let header = "nik,name,program,district,phone\n"
    static let twoRecipients = header + """
        5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001
        5371015502850002,Maria Bunga,BANSOS-NT,Alak,081237000002

        """

    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    /// Kota Kupang, 2018: 3,000 recipients, 2,570 accounts opened, 430 blocked.
    @Test func demoWorkflow() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        expectExit(try await Salurctl.run(["demo", "seed", "--dir", "demo"], in: ws.dir), 0)

        let imported = try await ws.run(["recipients", "import"], ["demo/recipients.csv"])
        expectExit(imported, 0)
        #expect(imported.stdout.contains("3,000 added"))

        let exported = try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"])
        expectExit(exported, 0)
        let requests = try #require(ws.dir.read("requests.csv")).split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(requests.first == "nik,name,district,phone")
        #expect(requests.count == 3_002) // header, 3,000 rows, and the empty tail after the last CRLF
        #expect(requests[1].split(separator: ",").count == 4)

        let applied = try await ws.run(["accounts", "import-results"], ["demo/bank-results.csv"])
        expectExit(applied, 0)
        #expect(applied.stdout.contains("2,570 opened, 430 rejected"))

        let status = try await ws.run(["accounts", "status", "--json"])
        expectExit(status, 0)
        // Integers, not strings or floats: decoding into Int refuses anything else.
        struct Status: Decodable {
            let total, not_requested, requested, opened, rejected: Int
            let reasons: [String: Int]
        }
        let decoded = try JSONDecoder().decode(Status.self, from: Data(status.stdout.utf8))
        #expect([decoded.total, decoded.not_requested, decoded.requested, decoded.opened, decoded.rejected] == [3_000, 0, 0, 2_570, 430] as [Int])
        for (key, value) in [("total", 3_000), ("not_requested", 0), ("requested", 0), ("opened", 2_570), ("rejected", 430)] {
            #expect(status.stdout.contains("\"\(key)\" : \(value)\n") || status.stdout.contains("\"\(key)\" : \(value),"), "\(key) is not the integer \(value)")
        }
        let reasons = decoded.reasons
        #expect(reasons.values.reduce(0, +) == 430)
        #expect(Set(reasons.keys).isSubset(of: ["NIK tidak terdaftar di Dukcapil", "Data KTP tidak lengkap", "Nama tidak sesuai KTP", "Duplikat nasabah"]))
        #expect(reasons.count > 1)

        let human = try await ws.run(["accounts", "status"])
        expectExit(human, 0)
        #expect(human.stdout.contains("2,570 / 3,000"))
        #expect(human.stdout.contains("85.7 %"))
        for (reason, count) in reasons {
            #expect(human.stdout.split(separator: "\n").contains { $0.hasPrefix(reason) && $0.hasSuffix(" \(count)") }, "\(reason): \(count)")
        }

        // By district: Kota Kupang's six, adding up to the whole.
        let byDistrict = try await ws.run(["accounts", "status", "--json", "--by", "district"])
        expectExit(byDistrict, 0)
        let grouped = try #require(try JSONSerialization.jsonObject(with: Data(byDistrict.stdout.utf8)) as? [String: Any])
        let groups = try #require(grouped["groups"] as? [[String: Any]])
        #expect(Set(groups.compactMap { $0["group"] as? String }) == ["Alak", "Maulafa", "Oebobo", "Kota Raja", "Kelapa Lima", "Kota Lama"])
        #expect(groups.compactMap { $0["total"] as? Int }.reduce(0, +) == 3_000)
        #expect(groups.compactMap { $0["opened"] as? Int }.reduce(0, +) == 2_570)

        // The blocked ones, for the operator to chase.
        let rejected = try await ws.run(["recipients", "list"], ["--state", "rejected", "--json"])
        expectExit(rejected, 0)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(rejected.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 430)
        #expect(list.allSatisfy { $0["state"] as? String == "rejected" && ($0["reason"] as? String)?.isEmpty == false })

        // Nothing new to request: a header-only file.
        let again = try await ws.run(["accounts", "export-requests"], ["-o", "again.csv"])
        expectExit(again, 0)
        #expect(ws.dir.read("again.csv") == "nik,name,district,phone\r\n")

        // Re-importing the same recipients changes nothing.
        let before = try ws.dump()
        let reimport = try await ws.run(["recipients", "import"], ["demo/recipients.csv"])
        expectExit(reimport, 0)
        #expect(reimport.stdout.contains("nothing to change"))
        #expect(try ws.dump() == before)
    }

    @Test func badRecipientsFileIsRefusedWhole() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("good.csv", Self.twoRecipients)
        expectExit(try await ws.run(["recipients", "import"], ["good.csv"]), 0)
        let before = try ws.dump()

        try ws.dir.write("bad.csv", Self.header + """
            5371020101700003,Petrus Lay,PKH,Maulafa,081237000003
            537102010170000,Ursula Tefa,PKH,Maulafa,081237000004
            5371020101700003,Petrus Lay Dua,PKH,Maulafa,081237000005
            5371050303900005,,PKH,Kelapa Lima,081237000006
            5371050303900006,Gabriel Riwu,PKH,Kelapa Lima
            5371031502850001,Yohanes Ndun Baru,BANSOS-NT,Oebobo,081237000001

            """)
        let result = try await ws.run(["recipients", "import"], ["bad.csv"])
        expectExit(result, 65)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "bad.csv:3: nik: must be 16 digits, found 15 characters",
            "bad.csv:4: nik: duplicate NIK in this file (first on line 2)",
            "bad.csv:5: name: must not be empty",
            "bad.csv:6: row: wrong field count: expected 5, found 4",
            "4 problems found; nothing was changed.",
        ])
        let pattern = /^bad\.csv:\d+: [a-z_]+: .+$/
        #expect(lines.dropLast().allSatisfy { $0.wholeMatch(of: pattern) != nil })
        #expect(result.stdout.isEmpty)
        #expect(try ws.dump() == before) // neither Petrus nor Yohanes' new name
    }

    @Test func invalidUTF8AndUnknownColumn() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        var bytes = Array((Self.header + "5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001\n").utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "Y"))!] = 0xC3 // a lead byte with no continuation
        try Data(bytes).write(to: URL(fileURLWithPath: ws.dir.file("latin1.csv")))
        let utf8 = try await ws.run(["recipients", "import"], ["latin1.csv"])
        expectExit(utf8, 65)
        #expect(utf8.stderr.hasPrefix("latin1.csv:2: name: not valid UTF-8\n"))

        try ws.dir.write("columns.csv", "nik,name,program,district,phone,email\n")
        let columns = try await ws.run(["recipients", "import"], ["columns.csv"])
        expectExit(columns, 65)
        #expect(columns.stderr.hasPrefix("columns.csv:1: email: unknown column"))
        if FileManager.default.fileExists(atPath: ws.database) {
            #expect(try ws.dump().isEmpty)
        }
    }

    @Test func badResultsFileChangesNothing() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("good.csv", Self.twoRecipients)
        expectExit(try await ws.run(["recipients", "import"], ["good.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "req.csv"]), 0)
        let before = try ws.dump()
        try ws.dir.write("results.csv", """
            nik,status,account_no,reason
            5371031502850001,opened,001100000001,
            5371060101990009,opened,001100000002,

            """)
        let result = try await ws.run(["accounts", "import-results"], ["results.csv"])
        expectExit(result, 65)
        #expect(result.stderr.hasPrefix("results.csv:3: nik: unknown NIK"))
        #expect(try ws.dump() == before)
    }

    /// `@config` stands for `--config <the workspace's config>`.
    @Test("usage errors exit 2", arguments: [
        ["frobnicate"],
        ["accounts", "frobnicate"],
        ["recipients", "import", "@config"],                       // missing FILE
        ["accounts", "status", "--by", "colour", "@config"],
        ["recipients", "list", "--state", "blocked", "@config"],
        ["recipients", "list", "--limit", "many", "@config"],
        ["demo", "seed", "--recipients", "10", "--opened", "11"],
    ])
    func usageErrors(arguments: [String]) async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let result = try await Salurctl.run(arguments.flatMap { $0 == "@config" ? ["--config", ws.config] : [$0] }, in: ws.dir)
        expectExit(result, 2)
        #expect(result.stderr.contains("Error:"), "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: ws.database))
        #expect(!FileManager.default.fileExists(atPath: ws.dir.file("recipients.csv")))
    }

    @Test func unknownConfigKeyNamesTheLine() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("typo.toml", "# Salur\n[database]\npath = \"state/salur.db\"\nbusy_timout_ms = 100\n")
        let result = try await Salurctl.run(["accounts", "status", "--config", "typo.toml"], in: ws.dir)
        expectExit(result, 1)
        #expect(result.stderr.hasPrefix("typo.toml:4: database.busy_timout_ms: unknown key"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: ws.database))

        let check = try await Salurctl.run(["config", "check", "--config", "typo.toml"], in: ws.dir)
        expectExit(check, 1)
        #expect(check.stderr.contains("typo.toml:4:"))
    }

    @Test func configFromEnvironment() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let viaEnv = try await Salurctl.run(["config", "check"], in: ws.dir, environment: ["SALUR_CONFIG": ws.config])
        expectExit(viaEnv, 0)
        #expect(viaEnv.stdout == "\(ws.config): ok\n")

        let missing = try await Salurctl.run(["config", "check"], in: ws.dir, environment: ["SALUR_CONFIG": ws.dir.file("absent.toml")])
        expectExit(missing, 1)
        #expect(missing.stderr.contains("absent.toml"))
    }

    @Test func auditVerifyAndTamper() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("good.csv", Self.twoRecipients)
        expectExit(try await ws.run(["recipients", "import"], ["good.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "req.csv"]), 0)
        try ws.dir.write("results.csv", "nik,status,account_no,reason\n5371031502850001,opened,001100000001,\n")
        expectExit(try await ws.run(["accounts", "import-results"], ["results.csv"]), 0)

        let ok = try await ws.run(["audit", "verify"])
        expectExit(ok, 0)
        #expect(ok.stdout.hasPrefix("audit log intact: 3 rows; head "))

        let log = try await ws.run(["audit", "log", "--json"])
        expectExit(log, 0)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["action"] as? String } == ["recipients.import", "accounts.export_requests", "accounts.import_results"])

        try ws.sql("UPDATE audit_log SET details = '{\"count\":\"1\"}' WHERE seq = 2")
        let broken = try await ws.run(["audit", "verify"])
        expectExit(broken, 1)
        #expect(broken.stderr == "salurctl: audit log broken at row 2: its content does not match its hash\n")
    }

    @Test func busyDatabaseExits75() async throws {
        let ws = try Workspace(busyTimeoutMs: 100); defer { ws.dir.remove() }
        try ws.dir.write("good.csv", Self.twoRecipients)
        expectExit(try await ws.run(["recipients", "import"], ["good.csv"]), 0)
        try ws.dir.write("more.csv", Self.header + "5371020101700003,Petrus Lay,PKH,Maulafa,081237000003\n")
        // Hold the write lock from this process while salurctl tries to write.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true // the transaction stays open across calls, on purpose
        let other = try DatabaseQueue(path: ws.database, configuration: configuration)
        try await other.writeWithoutTransaction { try $0.beginTransaction(.immediate) }
        let result = try await ws.run(["recipients", "import"], ["more.csv"])
        try await other.writeWithoutTransaction { try $0.rollback() }
        expectExit(result, 75)
        #expect(result.stderr.contains("database busy"))
        expectExit(try await ws.run(["recipients", "import"], ["more.csv"]), 0)
    }

    @Test func helpListsEveryCommand() async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let root = try await Salurctl.run(["--help"], in: dir)
        expectExit(root, 0)
        for command in ["recipients", "accounts", "audit", "config", "demo"] {
            #expect(root.stdout.contains("  \(command) "), "\(command) missing from salurctl --help")
        }
        #expect(root.stdout.contains("65 bad input data"))
        for (group, commands) in [("recipients", ["import", "list"]), ("accounts", ["export-requests", "import-results", "status"]),
                                  ("audit", ["verify", "log"]), ("config", ["check"]), ("demo", ["seed"])] {
            let help = try await Salurctl.run([group, "--help"], in: dir)
            expectExit(help, 0)
            for command in commands {
                #expect(help.stdout.contains("  \(command) "), "\(command) missing from salurctl \(group) --help")
            }
        }
        let leaf = try await Salurctl.run(["accounts", "status", "--help"], in: dir)
        #expect(leaf.stdout.contains("--config"))
        #expect(leaf.stdout.contains("--json"))
    }
}
