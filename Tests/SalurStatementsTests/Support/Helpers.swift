import SalurCore
@testable import SalurStatements

/// A date that exists, for fixtures.
func day(_ iso: String) -> CalendarDate {
    guard let date = CalendarDate(iso) else { fatalError("bad fixture date \(iso)") }
    return date
}

/// The 1-based line of the `occurrence`-th line of `text` containing `needle`.
func line(of needle: String, in text: String, occurrence: Int = 1) -> Int {
    var seen = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(needle) {
        seen += 1
        if seen == occurrence { return index + 1 }
    }
    fatalError("\(needle) not found \(occurrence) times")
}

extension Statement {
    /// The statement without where it was read from, to compare content across files.
    var content: Statement {
        var copy = self
        copy.sourceLine = 0
        copy.sourceFile = ""
        copy.entries = entries.map { entry in
            var entry = entry
            entry.line = 0
            return entry
        }
        return copy
    }
}

/// Runs `body`, expecting a `StatementParseError`; returns it, or nil when none was thrown.
func parseError(_ body: () throws(StatementParseError) -> [Statement]) -> StatementParseError? {
    do throws(StatementParseError) {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The first field where two lists of statements differ, for readable failures.
func difference(_ left: [Statement], _ right: [Statement]) -> String? {
    guard left.count == right.count else { return "\(left.count) statements vs \(right.count)" }
    for (index, (a, b)) in zip(left, right).enumerated() where a != b {
        for (childA, childB) in zip(Mirror(reflecting: a).children, Mirror(reflecting: b).children) where childA.label != "entries" {
            if "\(childA.value)" != "\(childB.value)" {
                return "statement \(index) \(childA.label ?? "?"): \(String(reflecting: childA.value)) vs \(String(reflecting: childB.value))"
            }
        }
        guard a.entries.count == b.entries.count else { return "statement \(index): \(a.entries.count) entries vs \(b.entries.count)" }
        for (entryIndex, (x, y)) in zip(a.entries, b.entries).enumerated() where x != y {
            for (childX, childY) in zip(Mirror(reflecting: x).children, Mirror(reflecting: y).children)
            where "\(childX.value)" != "\(childY.value)" {
                return "statement \(index) entry \(entryIndex) \(childX.label ?? "?"): \(String(reflecting: childX.value)) vs \(String(reflecting: childY.value))"
            }
        }
    }
    return nil
}
