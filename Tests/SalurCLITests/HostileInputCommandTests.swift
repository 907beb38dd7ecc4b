import Foundation
import GRDB
import SalurTestSupport
import Testing

/// Files and options a careless or hostile operator gives `salurctl`: formulas neutralised in every
/// file written, control and bidi characters refused with nothing stored, errors that escape what
/// they echo, and bounded work (and no crash under a memory limit) on huge bad files.
@Suite("salurctl hostile input", .timeLimit(.minutes(5)))
struct HostileInputCommandTests {
    /// Names that start like a spreadsheet formula, and how each must come out in a CSV file.
    static let formulaNames: [(name: String, csvField: String)] = [
        ("=HYPERLINK(\"http://x\",\"klik\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\""),
        ("+1", "\"'+1\""), ("-2+3", "\"'-2+3\""), ("@SUM(A1)", "\"'@SUM(A1)\""),
    ]

    static func nik(_ index: Int) -> String { "537103150285" + String(format: "%04d", index + 1) }
    static func account(_ index: Int) -> String { "00110000" + String(format: "%04d", index + 1) }

    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    /// The non-empty CRLF lines of a CSV file.
    func rows(_ text: String) -> [String] {
        text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test("a name that starts like a formula is neutralised in the bank's request file, the reconciliation export (both dialects), the batch proof and payroll deductions; amounts unchanged")
    func formulasAreNeutralisedInEveryExport() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let names = Self.formulaNames.map(\.name) + ["Yohanes Ndun"]
        var recipients = "nik,name,program,district,phone\n"
        for (index, name) in names.enumerated() {
            recipients += "\(Self.nik(index)),\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\",BANSOS-NT,Oebobo,+6281237000\(100 + index)\n"
        }
        try ws.dir.write("recipients.csv", recipients)
        expectExit(try await ws.run(["recipients", "import"], ["recipients.csv"]), 0)

        // The file that goes to the bank: names neutralised, NIKs and phones (+62…) as they are.
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]), 0)
        let requests = try #require(ws.dir.read("requests.csv"))
        for (index, formula) in Self.formulaNames.enumerated() {
            #expect(requests.contains("\r\n\(Self.nik(index)),\(formula.csvField),Oebobo,+6281237000\(100 + index)\r\n"), "\(requests)")
        }
        #expect(requests.contains("\r\n\(Self.nik(4)),Yohanes Ndun,Oebobo,+6281237000104\r\n"))

        var results = "nik,status,account_no,reason\n"
        for index in names.indices { results += "\(Self.nik(index)),opened,\(Self.account(index)),\n" }
        try ws.dir.write("results.csv", results)
        expectExit(try await ws.run(["accounts", "import-results"], ["results.csv"]), 0)
        expectExit(try await ws.run(["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "2026-11", "--amount", "300000"]), 0)

        for (file, excel) in [("recon.csv", false), ("recon-excel.csv", true)] {
            expectExit(try await ws.run(["export", "reconciliation", "-o", file] + (excel ? ["--excel"] : [])), 0)
            let text = try #require(ws.dir.read(file))
            let separator = excel ? ";" : ","
            for (index, formula) in Self.formulaNames.enumerated() {
                let row = try #require(rows(text).first { $0.contains(Self.nik(index)) })
                #expect(row.contains("\(separator)\(Self.nik(index))\(separator)\(formula.csvField)\(separator)\(Self.account(index))\(separator)300000\(separator)"),
                        "\(row)")
            }
            #expect(!text.contains("\(separator)=") && !text.contains("\(separator)+") && !text.contains("\(separator)@"))
        }

        let batches = try await DatabaseQueue(path: ws.database).read { db in try String.fetchAll(db, sql: "SELECT id FROM batch") }
        let batch = try #require(batches.first)
        expectExit(try await ws.run(["export", "batch", batch, "--excel", "-o", "proof.csv"]), 0)
        let proof = try #require(ws.dir.read("proof.csv"))
        for (index, formula) in Self.formulaNames.enumerated() {
            #expect(proof.contains(";300000;********\(Self.account(index).suffix(4));\(formula.csvField);\(Self.nik(index).prefix(6))"), "\(proof)")
        }
    }

    @Test("payroll deductions: an employee name that starts like a formula is neutralised, the amounts are numbers")
    func payrollDeductionsNeutraliseNames() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let rates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/bpjs-rates.toml").path
        try FileManager.default.copyItem(atPath: rates, toPath: ws.dir.file("bpjs-rates.toml"))
        try ws.dir.write("salur.toml", "[database]\npath = \"state/salur.db\"\n\n[premiums]\nrates_file = \"bpjs-rates.toml\"\n")
        expectExit(try await ws.run(["agreements", "add"], [
            "--id", "KENDARI-PKS-2024", "--employer", "Pemerintah Kota Kendari", "--programs", "JKK,JKM", "--risk-class", "2",
            "--from", "2024-01-01", "--to", "2025-12-31", "--bpjs-account", "0700000333444", "--bpjs-bank-code", "009"]), 0)
        try ws.dir.write("payroll.csv", """
            employee_id,nik,name,work_unit,gross_wage
            PTT-1,7471010101900001,"=HYPERLINK(""http://x"",""klik"")",DLHK,3000000
            PTT-2,7471010101900002,@SUM(A1),DLHK,3000000

            """)
        expectExit(try await ws.run(["payroll", "import"], ["payroll.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"]), 0)
        expectExit(try await ws.run(["payroll", "deductions"], ["--period", "2024-05", "-o", "deductions.csv"]), 0)
        let text = try #require(ws.dir.read("deductions.csv"))
        #expect(text.contains("\r\nPTT-1,7471010101900001,\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\",DLHK,3000000,"), "\(text)")
        #expect(text.contains("\r\nPTT-2,7471010101900002,\"'@SUM(A1)\",DLHK,3000000,"), "\(text)")
    }

    @Test("control and bidi characters in names, reasons and --reason are refused, nothing stored; errors echo them escaped")
    func controlAndBidiCharactersAreRefused() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("good.csv", "nik,name,program,district,phone\n\(Self.nik(0)),Yohanes Ndun,BANSOS-NT,Oebobo,081237000001\n")
        expectExit(try await ws.run(["recipients", "import"], ["good.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "req.csv"]), 0)
        let before = try ws.dump()

        // A file named to clear the screen, with a name that retitles the terminal, a tab in a name,
        // a right-to-left override, and a programme code (echoed in its error) holding ESC.
        let evil = "evil\u{1B}[2J.csv"
        try ws.dir.write(evil, """
            nik,name,program,district,phone
            \(Self.nik(1)),"Maria\u{1B}]0;pwned\u{7}",BANSOS-NT,Alak,081237000002
            \(Self.nik(2)),"Petrus\tLay",BANSOS-NT,Alak,081237000003
            \(Self.nik(3)),Ursula\u{202E}afeT,BANSOS-NT,Alak,081237000004
            \(Self.nik(4)),Gabriel Riwu,BANSOS\u{1B}[31m,Alak\u{0},081237000005

            """)
        let refused = try await ws.run(["recipients", "import"], [evil])
        expectExit(refused, 65)
        #expect(refused.stderr.split(separator: "\n").map(String.init) == [
            "evil\\u{1B}[2J.csv:2: name: contains a control character",
            "evil\\u{1B}[2J.csv:3: name: contains a control character",
            "evil\\u{1B}[2J.csv:4: name: contains a bidi formatting character",
            "evil\\u{1B}[2J.csv:5: program: use A-Z, 0-9, '-', '_' or '.' only (found \"BANSOS\\u{1B}[31m\")",
            "evil\\u{1B}[2J.csv:5: district: contains a control character",
            "5 problems found; nothing was changed.",
        ])
        #expect(!refused.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })

        // The bank's rejection reason: ESC and bidi refused; one starting with '=' is accepted (and
        // neutralised wherever it is written).
        try ws.dir.write("results.csv", "nik,status,account_no,reason\n\(Self.nik(0)),rejected,,\"Data\u{1B}[5mKTP\"\n")
        let badReason = try await ws.run(["accounts", "import-results"], ["results.csv"])
        expectExit(badReason, 65)
        #expect(badReason.stderr.hasPrefix("results.csv:2: reason: contains a control character\n"))
        try ws.dir.write("results2.csv", "nik,status,account_no,reason\n\(Self.nik(0)),rejected,,Nama\u{2066}KTP\n")
        expectExit(try await ws.run(["accounts", "import-results"], ["results2.csv"]), 65)
        #expect(try ws.dump() == before)

        // A --reason option: a usage error, before the database is touched.
        for reason in ["bank fee\u{1B}[2J", "ok\u{202E}", "line\nbreak"] {
            let resolve = try await ws.run(["reconcile", "resolve", "1", "--reason", reason])
            expectExit(resolve, 2)
            #expect(resolve.stderr.contains("--reason: contains a"), "\(resolve)")
            let restored = try await ws.run(["db", "restored", "--reason", reason])
            expectExit(restored, 2)
            #expect(!restored.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
        }
        #expect(try ws.dump() == before)

        // An unreadable path is named escaped too.
        let missing = try await ws.run(["recipients", "import"], ["no\u{1B}]0;x\u{7}such.csv"])
        expectExit(missing, 65)
        #expect(missing.stderr.contains("no\\u{1B}]0;x\\u{7}such.csv"), "\(missing)")
    }

    @Test("200,000 bad rows: the first 100 problems and one line saying there are more, exit 65, nothing stored")
    func manyBadRowsAreBounded() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        var text = "nik,name,program,district,phone\n"
        text.reserveCapacity(200_000 * 8)
        for _ in 0..<200_000 { text += "x,,,,\n" }
        try ws.dir.write("bad.csv", text)
        let result = try await ws.run(["recipients", "import"], ["bad.csv"])
        expectExit(result, 65)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 101, "\(lines.count) lines")
        #expect(lines.first == "bad.csv:2: nik: must be 16 digits, found 1 characters")
        #expect(lines.last == "… and more problems: checking stopped after the first 100; nothing was changed.")
        if FileManager.default.fileExists(atPath: ws.database) { #expect(try ws.dump().isEmpty) }
    }

    // Files of tens of megabytes read by a debug salurctl take seconds of CPU: `make test` runs this alone,
    // after the parallel suite (SOLO_TESTS), so that it does not starve the tests timed against a bank.
    @Test("HugeBadFiles: 2,000,000 bad rows and a 30 MB line of commas, under a 1 GiB address-space limit: bounded answers, no crash",
          .enabled(if: ProcessInfo.processInfo.environment["SALUR_SKIP_SOLO"] != "1"))
    func hugeBadFilesUnderAMemoryLimit() async throws {
        try await manyBadRowsUnderAMemoryLimit()
        try await aHugeLineIsRefusedUnderAMemoryLimit()
    }

    func manyBadRowsUnderAMemoryLimit() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let header = Array("nik,name,program,district,phone\n".utf8)
        try Data(header + Array(repeating: Array("x,,,,\n".utf8), count: 200_000).joined()).write(to: URL(fileURLWithPath: ws.dir.file("bad.csv")))
        let result = try await ws.run(["recipients", "import"], ["bad.csv"])
        expectExit(result, 65)
        // Ten times as many (a 12 MB file) under a 1 GiB address-space limit: the same answer, no crash.
        try Data(header + Array(repeating: Array("x,,,,\n".utf8), count: 2_000_000).joined()).write(to: URL(fileURLWithPath: ws.dir.file("bad.csv")))
        let limited = try await BuiltProduct.run("/bin/sh", ["-c", "ulimit -v 1048576 && exec \"$0\" \"$@\"", try BuiltProduct.path("salurctl", override: "SALURCTL"),
                                                             "recipients", "import", "--config", ws.config, "bad.csv"], in: ws.dir.path)
        expectExit(limited, 65)
        #expect(limited.stderr == result.stderr && limited.stderr.split(separator: "\n").count == 101)
    }

    func aHugeLineIsRefusedUnderAMemoryLimit() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        var bytes = Array("nik,name,program,district,phone\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: ","), count: 30 << 20)
        bytes.append(0x0A)
        try Data(bytes).write(to: URL(fileURLWithPath: ws.dir.file("wide.csv")))
        bytes = []
        let salurctl = try BuiltProduct.path("salurctl", override: "SALURCTL")
        // `ulimit -v` in KiB: the whole address space salurctl may map, its runtime included.
        let result = try await BuiltProduct.run("/bin/sh", ["-c", "ulimit -v 1048576 && exec \"$0\" \"$@\"", salurctl,
                                                            "recipients", "import", "--config", ws.config, "wide.csv"], in: ws.dir.path)
        expectExit(result, 65)
        #expect(result.stderr == "wide.csv:2: row: the row is longer than 65536 bytes; refused without reading on\n"
                + "1 problem found; nothing was changed.\n", "\(result)")
        if FileManager.default.fileExists(atPath: ws.database) { #expect(try ws.dump().isEmpty) }
    }
}
