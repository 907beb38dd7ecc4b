import Foundation
import Testing
import SalurCore

/// `recipients import` input: the bad-row kinds of issue 2, reported as `FILE:LINE: field: reason`,
/// all at once, with nothing returned.
@Suite("RecipientFile")
struct RecipientFileTests {
    static let header = "nik,name,program,district,phone\n"

    func parse(_ text: String, file: String = "recipients.csv") throws(ImportFailure) -> [RecipientFile.Row] {
        try RecipientFile.parse(bytes: Array(text.utf8), file: file)
    }

    func issues(_ bytes: [UInt8], file: String = "recipients.csv") -> [String] {
        do {
            let rows = try RecipientFile.parse(bytes: bytes, file: file)
            Issue.record("expected ImportFailure, got \(rows.count) rows")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    func issues(_ text: String, file: String = "recipients.csv") -> [String] {
        issues(Array(text.utf8), file: file)
    }

    @Test func validFile() throws {
        let rows = try parse(Self.header + """
            5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001
            5371015502850002,"Bunga, Maria",BANSOS-NT,Alak,+6281237000002
            5371020101700003,Petrus Lay,PKH,Maulafa,

            """)
        #expect(rows.count == 3)
        #expect(rows.map(\.line) == [2, 3, 4])
        #expect(rows[0].nik.digits == "5371031502850001")
        #expect(rows[0].name == "Yohanes Ndun")
        #expect(rows[0].program == "BANSOS-NT")
        #expect(rows[0].district == "Oebobo")
        #expect(rows[0].phone == "081237000001")
        #expect(rows[0].accountNo == nil)
        #expect(rows[1].name == "Bunga, Maria")
        #expect(rows[1].nik.isFemale)
        #expect(rows[2].phone == "")
    }

    @Test func surroundingSpacesAreTrimmed() throws {
        let rows = try parse(Self.header + " 5371031502850001 , Yohanes Ndun ,BANSOS-NT, Oebobo ,081237000001\n")
        #expect(rows[0].nik.digits == "5371031502850001")
        #expect(rows[0].name == "Yohanes Ndun")
        #expect(rows[0].district == "Oebobo")
    }

    @Test func columnsInAnotherOrder() throws {
        let rows = try parse("""
            district,phone,NAME,nik,program
            Oebobo,081237000001,Yohanes Ndun,5371031502850001,BANSOS-NT

            """)
        #expect(rows.count == 1)
        #expect(rows[0].nik.digits == "5371031502850001")
        #expect(rows[0].name == "Yohanes Ndun")
        #expect(rows[0].district == "Oebobo")
        #expect(rows[0].program == "BANSOS-NT")
        #expect(rows[0].phone == "081237000001")
    }

    @Test func optionalAccountNumber() throws {
        let rows = try parse("""
            nik,name,program,district,phone,account_no
            5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001,001100000001
            5371015502850002,Maria Bunga,BANSOS-NT,Alak,081237000002,

            """)
        #expect(rows.map(\.accountNo) == ["001100000001", nil])
    }

    @Test func badAccountNumbers() {
        #expect(issues("""
            nik,name,program,district,phone,account_no
            5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001,0011-0001
            5371015502850002,Maria Bunga,BANSOS-NT,Alak,081237000002,12345
            5371020101700003,Petrus Lay,BANSOS-NT,Maulafa,081237000003,001100000009
            5371020101700004,Ursula Tefa,BANSOS-NT,Maulafa,081237000004,001100000009

            """) == [
            "recipients.csv:2: account_no: must contain digits only",
            "recipients.csv:3: account_no: must have 6 to 20 digits, found 5",
            "recipients.csv:5: account_no: account number already given on line 4",
        ])
    }

    /// One file with every bad-row kind the issue names: each row reported, in file order, exactly.
    @Test func everyBadRowIsReported() {
        var bytes = Array((Self.header + """
            5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001
            537103150285000X,Maria Bunga,BANSOS-NT,Alak,081237000002
            5371020101700003,   ,BANSOS-NT,Maulafa,081237000003
            5371031502850001,Yohanes Ndun Dua,BANSOS-NT,Oebobo,081237000004
            5371020101700005,Petrus Lay,BANSOS-NT,Maulafa
            5371020101700006,Ursula Tefa,BANSOS-NT,Maulafa,081237000006,extra
            5371020101700007,Agustinus Kolo,BANSOS-NT,Maulafa,081237000007

            """).utf8)
        // Line 8's name becomes "Agustinus \xFF\xFEolo": invalid UTF-8.
        let k = bytes.firstIndex(of: UInt8(ascii: "K"))!
        bytes.replaceSubrange(k...k, with: [0xFF, 0xFE])
        let found = issues(bytes)
        #expect(found == [
            "recipients.csv:3: nik: must contain digits only",
            "recipients.csv:4: name: must not be empty",
            "recipients.csv:5: nik: duplicate NIK in this file (first on line 2)",
            "recipients.csv:6: row: wrong field count: expected 5, found 4",
            "recipients.csv:7: row: wrong field count: expected 5, found 6",
            "recipients.csv:8: name: not valid UTF-8",
        ])
    }

    @Test func failureSaysNothingChanged() {
        do {
            _ = try parse(Self.header + "5371031502850000,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001\n", file: "in.csv")
            Issue.record("expected ImportFailure")
        } catch {
            #expect(error.description == """
                in.csv:2: nik: digits 13-16 (serial) must not be 0000
                1 problem found; nothing was changed.
                """)
        }
    }

    @Test("each bad NIK is reported with the rule it breaks", arguments: [
        ("537103150285001", "must be 16 digits, found 15 characters"),
        ("9971031502850001", "digits 1-2 (99) are not an Indonesian province code"),
        ("5371031513850001", "digits 9-10 (birth month 13) must be 01-12"),
        ("5371033002850001", "digits 7-8 (birth day 30) must be 01-31, or 41-71 for women, and fit the month"),
        ("", "must be 16 digits, found 0 characters"),
    ])
    func badNIK(nik: String, reason: String) {
        #expect(issues(Self.header + "\(nik),Yohanes Ndun,BANSOS-NT,Oebobo,081237000001\n")
            == ["recipients.csv:2: nik: \(reason)"])
    }

    @Test func severalProblemsOnOneRow() {
        #expect(issues(Self.header + "1234,,bansos nt,,12\n") == [
            "recipients.csv:2: nik: must be 16 digits, found 4 characters",
            "recipients.csv:2: name: must not be empty",
            "recipients.csv:2: program: use A-Z, 0-9, '-', '_' or '.' only (found \"bansos nt\")",
            "recipients.csv:2: district: must not be empty",
            "recipients.csv:2: phone: must have 9 to 15 digits, found 2",
        ])
    }

    @Test func lineNumbersCountMultiLineFields() {
        #expect(issues(Self.header + """
            5371031502850001,"Yohanes
            Ndun",BANSOS-NT,Oebobo,081237000001
            5371031502850002,,BANSOS-NT,Oebobo,081237000002

            """) == [
            "recipients.csv:2: name: contains a control character",
            "recipients.csv:4: name: must not be empty",
        ])
    }

    @Test func everyNonUTF8FieldOfARowIsReported() {
        let bytes = Array((Self.header + "5371031502850001,").utf8) + [0xFF] + Array("ohanes Ndun,BANSOS-NT,".utf8)
            + [0xC0] + Array("ebobo,081237000001\n".utf8)
        // As a set: the order of these two follows a Dictionary's, which varies between runs (reported).
        #expect(Set(issues(bytes)) == [
            "recipients.csv:2: name: not valid UTF-8",
            "recipients.csv:2: district: not valid UTF-8",
        ])
    }

    @Test func unknownColumn() {
        #expect(issues("nik,name,program,district,phone,colour\n5371031502850001,Yohanes Ndun,BANSOS-NT,Oebobo,081237000001,red\n") == [
            "recipients.csv:1: colour: unknown column (expected nik,name,program,district,phone, optionally account_no)",
        ])
    }

    @Test func missingColumn() {
        #expect(issues("nik,name,district,phone\n5371031502850001,Yohanes Ndun,Oebobo,081237000001\n") == [
            "recipients.csv:1: program: required column is missing",
        ])
    }

    @Test func headerOnlyIsEmptyNotAnError() throws {
        #expect(try parse(Self.header).isEmpty)
    }

    /// NIK number `n` of a large file: Kota Kupang, Oebobo; a woman born on day 1–28 of February
    /// 1985, serial 1…9,999 — valid and distinct for every n below 279,972.
    static func nik(_ n: Int) -> String {
        let day = 41 + n / 9_999 % 28
        return "537103\(day)0285" + String(repeating: "0", count: 4 - String(n % 9_999 + 1).count) + String(n % 9_999 + 1)
    }

    /// A file large enough to be checked in parts: duplicates across parts, and issues on the same
    /// lines, come out exactly as a check row after row gives them.
    @Test func largeFileCheckedInPartsReportsLikeRowByRow() {
        let count = 60_000
        let nik = Self.nik
        var lines = ["nik,name,program,district,phone,account_no"]
        for n in 0..<count { lines.append("\(nik(n)),Penerima \(n),BANSOS-NT,Oebobo,081237000001,") }
        // Line numbers: data row n is on line n + 2.
        lines[59_001 + 1] = "\(nik(10)),,BANSOS-NT,Oebobo,081237000001,0012345678"   // duplicate NIK of line 12, bad name, an account
        lines[5 + 1] = "\(nik(5)),Penerima 5,BANSOS-NT,Oebobo,081237000001,0012345678"     // the account's first use, line 7
        lines[45_000 + 1] = "\(nik(45_000)),Penerima,BAD CODE,Oebobo,081237000001,0012345678" // bad program, the account again
        lines[30_000 + 1] = "\(nik(10)),Penerima 30000,BANSOS-NT,Oebobo,081237000001,"     // NIK of line 12 again
        let found = issues(lines.joined(separator: "\n") + "\n")
        #expect(found == [
            "recipients.csv:30002: nik: duplicate NIK in this file (first on line 12)",
            "recipients.csv:45002: program: use A-Z, 0-9, '-', '_' or '.' only (found \"BAD CODE\")",
            "recipients.csv:45002: account_no: account number already given on line 7",
            "recipients.csv:59003: nik: duplicate NIK in this file (first on line 12)",
            "recipients.csv:59003: name: must not be empty",
            "recipients.csv:59003: account_no: account number already given on line 7",
        ])
        // Without the bad lines, every row comes back, in file order.
        lines[59_001 + 1] = "\(nik(59_001)),Penerima,BANSOS-NT,Oebobo,081237000001,"
        lines[45_000 + 1] = "\(nik(45_000)),Penerima,BANSOS-NT,Oebobo,081237000001,"
        lines[30_000 + 1] = "\(nik(30_000)),Penerima,BANSOS-NT,Oebobo,081237000001,"
        let rows = (try? parse(lines.joined(separator: "\n") + "\n")) ?? []
        #expect(rows.count == count)
        #expect(rows.map(\.line) == Array(2..<(count + 2)))
        #expect(rows[5].accountNo == "0012345678")
    }

    /// A large file's parts come out in file order as they are checked, a window of the file at a
    /// time; a bad row does not end them (what the store keeps of them is undone), and `rows()`
    /// gives every issue of the file, duplicates across parts included.
    @Test func partsComeInFileOrderAndBadRowsAreReportedTogether() throws {
        let count = 70_000
        let nik = Self.nik
        var lines = ["nik,name,program,district,phone"]
        for n in 0..<count { lines.append("\(nik(n)),Penerima \(n),BANSOS-NT,Oebobo,081237000001") }
        let good = try RecipientFile.Reading(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
        var seen: [Int] = []
        var parts = 0
        while let part = good.nextPart() {
            seen += part.rows.map(\.line)
            #expect(part.refused.isEmpty)
            parts += 1
        }
        #expect(parts > 3)
        #expect(seen == Array(2..<(count + 2)))
        #expect(!good.isRefused)
        try good.finish()

        lines[40_000 + 1] = "\(nik(40_000)),,BANSOS-NT,Oebobo,081237000001"          // empty name
        lines[60_000 + 1] = "\(nik(3)),Penerima 60000,BANSOS-NT,Oebobo,081237000001"  // NIK of line 5
        let bad = try RecipientFile.Reading(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
        var taken = 0
        var refused: [RecipientFile.Keys] = []
        while let part = bad.nextPart() {
            taken += part.rows.count
            refused += part.refused
        }
        #expect(taken == count - 1)
        #expect(refused.map(\.line) == [40_002])
        #expect(refused.map { $0.nik?.digits } == [nik(40_000)])
        #expect(refused.map(\.account) == [nil])
        #expect(bad.isRefused)
        #expect(throws: ImportFailure.self) { try bad.finish() }
        let again = try RecipientFile.Reading(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
        do {
            _ = try again.rows()
            Issue.record("a file with bad rows gave rows")
        } catch {
            #expect(error.issues.map(\.description) == [
                "recipients.csv:40002: name: must not be empty",
                "recipients.csv:60002: nik: duplicate NIK in this file (first on line 5)",
            ])
        }
    }
}

/// A recipients file read from disk a window at a time (`CSVWindows`): quoted fields, a record
/// over two lines and a CRLF file come out with the lines they have in the file, across windows.
@Suite("RecipientFile read from disk")
struct RecipientFileOnDiskTests {
    static func write(_ text: String) throws -> String {
        let path = "/tmp/salur-recipients-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).csv"
        guard let file = fopen(path, "w") else { throw CSVWindowsTestError.cannotWrite }
        defer { fclose(file) }
        _ = Array(text.utf8).withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        return path
    }

    enum CSVWindowsTestError: Error { case cannotWrite }

    @Test(arguments: ["\n", "\r\n"])
    func quotedRecordsAcrossWindows(_ end: String) throws {
        let count = 50_000
        var lines = ["nik,name,program,district,phone"]
        for n in 0..<count { lines.append("\(RecipientFileTests.nik(n)),\"Penerima, \(n)\",BANSOS-NT,\"Oebobo\",081237000001") }
        // Data row 30,000 (line 30,002) spans two lines: every line after it is one further on.
        lines[30_001] = "\(RecipientFileTests.nik(30_000)),\"Penerima\(end)30000\",BANSOS-NT,Oebobo,081237000001"
        lines[40_001] = "\(RecipientFileTests.nik(40_000)),,BANSOS-NT,Oebobo,081237000001"
        let path = try Self.write(lines.joined(separator: end) + end)
        defer { unlink(path) }
        #expect((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 } ?? 0 > 3 * CSVWindows.windowBytes)
        let file = try RecipientFile.Reading(path: path, file: "recipients.csv")
        var taken: [Int] = []
        var parts = 0
        while let part = file.nextPart() {
            taken += part.rows.map(\.line)
            parts += 1
        }
        #expect(parts > 3)
        #expect(taken == Array(2..<30_002) + Array(30_004..<40_003) + Array(40_004..<(count + 3)))
        #expect(file.rowCount == count)
        do {
            try file.finish()
            Issue.record("a file with bad rows was accepted")
        } catch {
            #expect(error.issues.map(\.description) == [
                "recipients.csv:30002: name: contains a control character",
                "recipients.csv:40003: name: must not be empty",
            ])
        }
    }

    @Test func anUnclosedQuoteLateInTheFileRefusesItWithThatOneIssue() throws {
        var lines = ["nik,name,program,district,phone"]
        for n in 0..<40_000 { lines.append("\(RecipientFileTests.nik(n)),Penerima \(n),BANSOS-NT,Oebobo,081237000001") }
        lines[5] = "\(RecipientFileTests.nik(4)),,BANSOS-NT,Oebobo,081237000001"
        lines[40_000] = "\(RecipientFileTests.nik(39_999)),\"Penerima,BANSOS-NT,Oebobo,081237000001"
        let path = try Self.write(lines.joined(separator: "\n") + "\n")
        defer { unlink(path) }
        let file = try RecipientFile.Reading(path: path, file: "recipients.csv")
        #expect(throws: ImportFailure.self) { _ = try file.rows() }
        let again = try RecipientFile.Reading(path: path, file: "recipients.csv")
        do {
            _ = try again.rows()
            Issue.record("a file with an unclosed quote was accepted")
        } catch {
            // The bad name on line 6 is not reported: a file that cannot be read as CSV is refused for that alone.
            #expect(error.issues.map(\.description) == ["recipients.csv:40001: row: a quoted field is never closed (missing \")"])
        }
    }
}
