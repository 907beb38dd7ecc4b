@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// `openingStatus`: counts per state, rejected counts per reason, overall and grouped.
@Suite("Opening status")
struct OpeningStatusTests {
    /// Yohanes opened, Maria and Theresia rejected (two reasons), Petrus requested, Gabriel not requested.
    func ledger(in dir: TemporaryDirectory) throws -> SQLiteLedger {
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        try ledger.seed(answers: [
            "\(Fixture.yohanes),opened,001100000001,",
            "\(Fixture.maria),rejected,,Data KTP tidak lengkap",
            "\(Fixture.theresia),rejected,,NIK tidak terdaftar di Dukcapil",
        ])
        _ = try ledger.importRecipients(Fixture.recipients(Fixture.recipientsCSV + "5371050303900005,Gabriel Riwu,PKH,Kelapa Lima,\n"),
                                        source: Fixture.source, actor: "tester")
        return ledger
    }

    @Test func emptyDatabase() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let status = try SQLiteLedger(path: dir.file("salur.db")).openingStatus(by: nil)
        #expect(status == [OpeningStatus(group: nil)])
        #expect(try SQLiteLedger(path: dir.file("salur.db")).openingStatus(by: .district).isEmpty)
    }

    @Test func overallCountsAndReasons() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let status = try ledger(in: dir).openingStatus(by: nil)
        #expect(status.count == 1)
        let overall = status[0]
        #expect(overall.group == nil)
        #expect(overall.total == 5)
        #expect(overall.notRequested == 1)
        #expect(overall.requested == 1)
        #expect(overall.opened == 1)
        #expect(overall.rejected == 2)
        #expect(overall.reasons == ["Data KTP tidak lengkap": 1, "NIK tidak terdaftar di Dukcapil": 1])
    }

    @Test func groupedByDistrict() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let groups = try ledger(in: dir).openingStatus(by: .district)
        #expect(groups.map(\.group) == ["Alak", "Kelapa Lima", "Maulafa", "Oebobo"])
        let oebobo = try #require(groups.last)
        #expect([oebobo.total, oebobo.notRequested, oebobo.requested, oebobo.opened, oebobo.rejected] == [2, 0, 0, 1, 1])
        #expect(oebobo.reasons == ["NIK tidak terdaftar di Dukcapil": 1])
        #expect(groups[0].reasons == ["Data KTP tidak lengkap": 1])
        #expect(groups[1].notRequested == 1)
        #expect(groups[2].requested == 1)
        #expect(groups.map(\.total).reduce(0, +) == 5)
    }

    @Test func groupedByProgram() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let groups = try ledger(in: dir).openingStatus(by: .program)
        #expect(groups.map(\.group) == ["BANSOS-NT", "PKH"])
        #expect([groups[0].total, groups[0].opened, groups[0].rejected] == [2, 1, 1])
        #expect([groups[1].total, groups[1].notRequested, groups[1].requested, groups[1].rejected] == [3, 1, 1, 1])
    }

    @Test func reasonsAddUpPerReason() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        try ledger.seed(answers: [
            "\(Fixture.yohanes),rejected,,Duplikat nasabah",
            "\(Fixture.maria),rejected,,Duplikat nasabah",
            "\(Fixture.petrus),rejected,,Duplikat nasabah",
            "\(Fixture.theresia),rejected,,Nama tidak sesuai KTP",
        ])
        let overall = try ledger.openingStatus(by: nil)[0]
        #expect(overall.rejected == 4)
        #expect(overall.reasons == ["Duplikat nasabah": 3, "Nama tidak sesuai KTP": 1])
    }
}
