import Testing
import SalurCore

/// NIK rules of DESIGN.md §3: 16 digits; 1–6 region, 7–12 birth date (day + 40 for women), 13–16 serial.
@Suite("NIK")
struct NIKTests {
    @Test func validMale() throws {
        let nik = try NIK(validating: "5371031502850001") // Oebobo, 15 Feb 1985
        #expect(nik.digits == "5371031502850001")
        #expect(nik.regionCode == "537103")
        #expect(!nik.isFemale)
        #expect(nik.masked == "537103******0001")
        #expect(nik.description == "5371031502850001")
    }

    @Test func validFemale() throws {
        let nik = try NIK(validating: "5371015502850002") // Alak, 15 (+40) Feb 1985
        #expect(nik.isFemale)
        #expect(nik.regionCode == "537101")
    }

    @Test("valid edge dates", arguments: [
        "5371032902000001", // 29 Feb (the year is ambiguous, so always allowed)
        "5371036902000001", // 29 Feb, woman
        "5371033112990001", // 31 Dec
        "5371037112990001", // 31 Dec, woman (71)
        "5371030101009999", // 1 Jan, serial 9999
        "1101010101010001", // Aceh, the first province code
        "9701010101010001", // the highest code in the list
    ])
    func validEdges(text: String) throws {
        #expect(try NIK(validating: text).digits == text)
    }

    @Test("each rule names what is wrong", arguments: [
        ("537103150285000", NIKError.length(15)),
        ("53710315028500011", .length(17)),
        ("", .length(0)),
        ("537103150285000١", .length(17)),          // a non-ASCII digit is not one byte
        ("53710315028500a1", .notDigits),
        ("5371 31502850001", .notDigits),
        ("-371031502850001", .notDigits),
        ("1001031502850001", .province(10)),
        ("0071031502850001", .province(0)),
        ("9871031502850001", .province(98)),
        ("5300031502850001", .regency),
        ("5371001502850001", .district),
        ("5371031513850001", .birthMonth(13)),
        ("5371031500850001", .birthMonth(0)),
        ("5371030002850001", .birthDay(0)),
        ("5371033002850001", .birthDay(30)),       // 30 February
        ("5371033104850001", .birthDay(31)),       // 31 April
        ("5371034001850001", .birthDay(40)),       // neither a man's day nor a woman's
        ("5371037202850001", .birthDay(72)),       // 32 + 40
        ("5371037002850001", .birthDay(70)),       // 30 February, woman
        ("5371031502850000", .serial),
    ] as [(String, NIKError)])
    func invalid(text: String, error: NIKError) {
        #expect(throws: error) { try NIK(validating: text) }
    }

    @Test func errorDescriptionsSayWhere() {
        #expect(NIKError.length(15).description == "must be 16 digits, found 15 characters")
        #expect(NIKError.province(8).description.contains("(08)"))
        #expect(NIKError.birthMonth(13).description.contains("digits 9-10"))
        #expect(NIKError.serial.description.contains("digits 13-16"))
    }

    @Test func ordersAndHashesByDigits() throws {
        let a = try NIK(validating: "5371011502850001")
        let b = try NIK(validating: "5371031502850001")
        #expect(a < b)
        #expect(Set([a, b, try NIK(validating: "5371011502850001")]).count == 2)
    }
}
