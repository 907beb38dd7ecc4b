import Foundation
import SalurCore
import Testing

@Suite("X-EXTERNAL-IDs: the Jakarta day, attempts' and requests' spaces")
struct ExternalIDTests {
    /// 2026-11-23T16:59:59Z is 23:59:59 WIB; one second later it is the 24th in Jakarta.
    static let lastSecondOf23rd = Date(timeIntervalSince1970: 1_795_453_199)

    @Test("the day is Jakarta's (UTC+7): it turns at 17:00 UTC, not at midnight UTC")
    func jakartaDay() {
        #expect(ExternalID.jakartaDay(Self.lastSecondOf23rd) == "20261123")
        #expect(ExternalID.jakartaDay(Self.lastSecondOf23rd.addingTimeInterval(1)) == "20261124")
        // Midnight UTC is already 07:00 WIB of the same date.
        #expect(ExternalID.jakartaDay(Date(timeIntervalSince1970: 1_795_392_000)) == "20261123")
        #expect(ExternalID.jakartaDay(Date(timeIntervalSince1970: 1_795_391_999)) == "20261123")
        #expect(ExternalID.jakartaDay(Date(timeIntervalSince1970: 1_795_366_799)) == "20261122")
    }

    @Test("an attempt's id is the day and 12 digits (20 in all); a request's the day, 1 and 15 digits (24 in all)")
    func formats() {
        let day = Self.lastSecondOf23rd
        #expect(ExternalID.attempt(42, on: day) == "20261123000000000042")
        #expect(ExternalID.request(42, on: day) == "202611231000000000000042")
        #expect(ExternalID.request(ExternalID.maxRequestNumber, on: day) == "202611231999999999999999")
        #expect(ExternalID.request(ExternalID.maxRequestNumber + 1, on: day) == nil)
        #expect(ExternalID.request(-1, on: day) == nil)
    }

    @Test("an attempt's id never equals a request's, whatever the numbers", arguments: [Int64(0), 1, 7, 999_999, 123_456_789_012])
    func disjoint(number: Int64) throws {
        let day = Self.lastSecondOf23rd
        let request = try #require(ExternalID.request(number, on: day))
        let attempt = ExternalID.attempt(number, on: day)
        #expect(request.count == 24 && attempt.count == 20 && request != attempt)
        #expect(request.allSatisfy(\.isASCIIDigit) && attempt.allSatisfy(\.isASCIIDigit))
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
