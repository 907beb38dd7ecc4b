import Foundation
import Testing
import SalurCore

struct PremiumCalendarTests {
    @Test("Period parses exactly YYYY-MM", arguments: [
        ("2024-03", 2024, 3), ("2023-12", 2023, 12), ("0001-01", 1, 1), ("9999-12", 9999, 12),
    ])
    func periodParses(_ text: String, _ year: Int, _ month: Int) throws {
        let parsed = try #require(Period(text))
        #expect(parsed.year == year && parsed.month == month)
        #expect(parsed.description == text)
    }

    @Test("Period refuses anything else", arguments: [
        "2024-3", "2024-13", "2024-00", "24-03", "2024/03", "2024-03-01", "", "0000-01", "２０２４-03", "2024-0a", " 2024-03",
    ])
    func periodRefuses(_ text: String) {
        #expect(Period(text) == nil)
    }

    @Test("Period next and previous roll over the year")
    func periodNextPrevious() {
        #expect(period("2024-02").next == period("2024-03"))
        #expect(period("2024-12").next == period("2025-01"))
        #expect(period("2025-01").previous == period("2024-12"))
        #expect(period("2024-03").previous == period("2024-02"))
    }

    @Test("Period orders by year, then month")
    func periodOrder() {
        #expect(period("2024-02") < period("2024-03"))
        #expect(period("2023-12") < period("2024-01"))
        #expect(!(period("2024-03") < period("2024-03")))
        #expect([period("2025-01"), period("2023-03"), period("2024-11")].sorted().map(\.description)
                == ["2023-03", "2024-11", "2025-01"])
    }

    @Test("CalendarDate parses real days only", arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("2000-02-29", true), ("2100-02-29", false),
        ("2024-04-30", true), ("2024-04-31", false), ("2024-12-31", true), ("2024-01-00", false),
        ("2024-1-05", false), ("2024-01-05T00:00", false), ("2024-13-01", false),
    ])
    func calendarDateParses(_ text: String, _ valid: Bool) {
        let date = CalendarDate(text)
        #expect((date != nil) == valid)
        if let date { #expect(date.description == text) }
    }

    @Test("CalendarDate orders by day and knows its period")
    func calendarDateOrder() throws {
        let a = try #require(CalendarDate("2024-02-29")), b = try #require(CalendarDate("2024-03-01"))
        #expect(a < b)
        #expect(a.period == period("2024-02"))
        #expect(b.period == period("2024-03"))
    }

    @Test("Period and CalendarDate encode as their text")
    func calendarCodable() throws {
        struct Row: Codable, Equatable { let period: Period; let date: CalendarDate }
        let row = Row(period: period("2024-03"), date: try #require(CalendarDate("2024-03-15")))
        let json = try JSONEncoder().encode(row)
        #expect(String(decoding: json, as: UTF8.self).contains("\"2024-03\""))
        #expect(try JSONDecoder().decode(Row.self, from: json) == row)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Row.self, from: Data(#"{"period":"2024-3","date":"2024-03-15"}"#.utf8))
        }
    }
}

/// A period from literal text in a test.
private func period(_ text: String) -> Period {
    guard let period = Period(text) else { preconditionFailure("bad test period \(text)") }
    return period
}
