internal import SalurCore

/// The line-level grammar shared by `MT940Parser` and `MT940Writer`, so that what the writer
/// avoids is exactly what the parser would misread.
enum MT940Syntax {
    /// Width of an `:86:` line's content (SWIFT 6*65x).
    static let lineWidth = 65
    /// Content width of the first `:86:` line, so the physical line, tag included, stays within 65.
    static let firstLineWidth = lineWidth - 4

    /// Scalars the parser drops at the end of every line.
    static func isTrailingSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r"
    }

    /// Tabs and carriage returns inside a line become spaces: texts are read as one line of
    /// words, and a wrapped line can then only have lost a space at its end, which the join restores.
    static func spacingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\t" || $0 == "\r" || $0 == "\n" }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { scalars.append(scalar == "\t" || scalar == "\r" || scalar == "\n" ? " " : scalar) }
        return String(scalars)
    }

    static func trimmingTrailing(_ text: some StringProtocol) -> Substring {
        var scalars = Substring(text).unicodeScalars
        while let last = scalars.last, isTrailingSpace(last) { scalars.removeLast() }
        return Substring(scalars)
    }

    static func trimmingLeading(_ text: Substring) -> Substring {
        var scalars = text.unicodeScalars
        while let first = scalars.first, isTrailingSpace(first) { scalars.removeFirst() }
        return Substring(scalars)
    }

    static func trimmed(_ text: some StringProtocol) -> String {
        String(trimmingLeading(trimmingTrailing(text)))
    }

    /// `:20:`, `:28C:`, `:NS:` at the start of a line: the tag without colons and where the content starts.
    static func tag(of line: Substring) -> (tag: String, content: Substring)? {
        let scalars = Array(line.unicodeScalars.prefix(5))
        guard scalars.count >= 4, scalars[0] == ":", isTagCharacter(scalars[1]), isTagCharacter(scalars[2]) else { return nil }
        if scalars[3] == ":" {
            return (String(String.UnicodeScalarView(scalars[1...2])), Substring(line.unicodeScalars.dropFirst(4)))
        }
        if scalars.count == 5, isUpperLetter(scalars[3]), scalars[4] == ":" {
            return (String(String.UnicodeScalarView(scalars[1...3])), Substring(line.unicodeScalars.dropFirst(5)))
        }
        return nil
    }

    /// `-` alone, or `-}` closing a SWIFT block 4.
    static func isTerminator(_ line: Substring) -> Bool {
        line == "-" || line.hasPrefix("-}")
    }

    /// Whether the line opens with a SWIFT block header (`{1:`, `{2:`, … `{5:`).
    static func startsWithBlock(_ line: Substring) -> Bool {
        let scalars = Array(line.unicodeScalars.prefix(3))
        return scalars.count == 3 && scalars[0] == "{" && ("1"..."5").contains(scalars[1]) && scalars[2] == ":"
    }

    /// Drops `{1:…}{2:…}{3:{…}}` blocks and a `{4:` opener; returns what follows `{4:` (often
    /// empty, sometimes `:20:…` on the same line).
    static func strippingBlocks(_ line: Substring) -> Substring {
        var rest = line
        while startsWithBlock(rest) {
            if rest.hasPrefix("{4:") { return rest.dropFirst(3) }
            var depth = 0
            var close: Substring.Index?
            for index in rest.indices {
                if rest[index] == "{" { depth += 1 } else if rest[index] == "}" {
                    depth -= 1
                    if depth == 0 { close = index; break }
                }
            }
            guard let close else { return "" }
            rest = rest[rest.index(after: close)...]
        }
        return rest
    }

    /// Whether `scalars`, written as an `:86:` line (after `:86:` when `isFirst`), read back as
    /// themselves: nothing trimmed, and a further line not taken for a tag, a terminator or a block.
    static func isValidInformationLine(_ scalars: ArraySlice<Unicode.Scalar>, isFirst: Bool) -> Bool {
        guard let last = scalars.last, !isTrailingSpace(last) else { return false }
        if isFirst { return !isTrailingSpace(scalars[scalars.startIndex]) }
        let line = Substring(String(String.UnicodeScalarView(scalars)))
        return tag(of: line) == nil && !startsWithBlock(line) && !isTerminator(line)
    }

    /// Whether some further `:86:` line could start with `scalars` (see `isValidInformationLine`).
    static func canStartContinuation(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let head = Substring(String(String.UnicodeScalarView(scalars.prefix(6))))
        return tag(of: head) == nil && !startsWithBlock(head) && !head.hasPrefix("-}")
            && !(scalars.count == 1 && scalars.first == "-")
    }

    static func isTagCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar) || isUpperLetter(scalar)
    }

    static func isUpperLetter(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }

    /// `YYMMDD` with the two-digit year in 1980–2079.
    static func date(yymmdd scalars: ArraySlice<Unicode.Scalar>) -> CalendarDate? {
        guard scalars.count == 6, let yy = number(scalars.prefix(2)), let mm = number(scalars.dropFirst(2).prefix(2)),
              let dd = number(scalars.suffix(2)) else { return nil }
        return CalendarDate(year: yy < 80 ? 2000 + yy : 1900 + yy, month: mm, day: dd)
    }

    /// The booking date `MMDD` in the year that puts it nearest to the value date.
    static func bookingDate(mmdd scalars: ArraySlice<Unicode.Scalar>, near valueDate: CalendarDate) -> CalendarDate? {
        guard scalars.count == 4, let mm = number(scalars.prefix(2)), let dd = number(scalars.suffix(2)) else { return nil }
        var best: CalendarDate?
        for year in [valueDate.year - 1, valueDate.year, valueDate.year + 1] {
            guard let candidate = CalendarDate(year: year, month: mm, day: dd) else { continue }
            if let current = best,
               abs(current.dayNumber - valueDate.dayNumber) <= abs(candidate.dayNumber - valueDate.dayNumber) { continue }
            best = candidate
        }
        return best
    }

    static func number(_ scalars: some Collection<Unicode.Scalar>) -> Int? {
        guard !scalars.isEmpty, scalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Digits.value(scalars.map { UInt8($0.value) })
    }

    /// `YYMMDD`.
    static func yymmdd(_ date: CalendarDate) -> String {
        Digits.padded(date.year % 100, width: 2) + Digits.padded(date.month, width: 2) + Digits.padded(date.day, width: 2)
    }

    /// `MMDD`.
    static func mmdd(_ date: CalendarDate) -> String {
        Digits.padded(date.month, width: 2) + Digits.padded(date.day, width: 2)
    }
}
