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

    @Test("CalendarDate in four bytes: every day from 0001-01-01 to 9999-12-31 keeps its fields, its order and its day number")
    func calendarDatePacked() throws {
        #expect(MemoryLayout<CalendarDate>.size == 4)
        let first = try #require(CalendarDate(year: 1, month: 1, day: 1))
        let last = try #require(CalendarDate(year: 9999, month: 12, day: 31))
        #expect(CalendarDate("1970-01-01")?.dayNumber == 0 && CalendarDate("2026-11-23")?.dayNumber == 20_780)
        var previous = first
        var days = 1
        for number in (first.dayNumber + 1)...last.dayNumber {
            // Each day is the day after the one before it, by its fields as by its order.
            let next = previous.day < CalendarDate.days(in: previous.period) ? (previous.year, previous.month, previous.day + 1)
                : previous.month < 12 ? (previous.year, previous.month + 1, 1) : (previous.year + 1, 1, 1)
            guard let date = CalendarDate(dayNumber: number), date.year == next.0, date.month == next.1, date.day == next.2,
                  previous < date, date.dayNumber == number, date.adding(days: -1) == previous,
                  date.day > 1 && date.day < 28 || CalendarDate(date.description) == date else {
                Issue.record("day \(number) after \(previous)")
                return
            }
            previous = date
            days += 1
        }
        #expect(previous == last && days == 3_652_059)
        #expect(first.adding(days: -1) == nil && last.adding(days: 1) == nil)
        let written = [first, CalendarDate(year: 999, month: 9, day: 9), CalendarDate(year: 2026, month: 11, day: 30), last]
        #expect(written.map { $0?.description } == ["0001-01-01", "0999-09-09", "2026-11-30", "9999-12-31"])
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
