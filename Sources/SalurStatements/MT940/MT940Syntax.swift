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

    /// The same, for a byte of a line's UTF-8. The grammar's marks (tags, `{`, `}`, `-`, `//`, the
    /// spaces) are all ASCII, and in UTF-8 an ASCII byte is only ever that character, never part
    /// of another: the parser reads lines as bytes, and the writer's checks below read them the
    /// same way, so the two cannot disagree.
    static func isTrailingSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D
    }

    /// Tabs and carriage returns inside a line become spaces: texts are read as one line of
    /// words, and a wrapped line can then only have lost a space at its end, which the join restores.
    static func spacingControls(_ text: String) -> String {
        guard text.utf8.contains(where: isSpacingControl) else { return text }
        return String(decoding: spacingControls(Array(text.utf8)[...]), as: UTF8.self)
    }

    /// `spacingControls` of a line's UTF-8; the same slice when it has none.
    static func spacingControls(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard line.contains(where: isSpacingControl) else { return line }
        return ArraySlice(line.map { isSpacingControl($0) ? 0x20 : $0 })
    }

    private static func isSpacingControl(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    static func trimmingTrailing(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = line.endIndex
        while end > line.startIndex, isTrailingSpace(line[end - 1]) { end -= 1 }
        return line[..<end]
    }

    static func trimmingLeading(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = line.startIndex
        while start < line.endIndex, isTrailingSpace(line[start]) { start += 1 }
        return line[start...]
    }

    static func trimmed(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: trimmingLeading(trimmingTrailing(line)), as: UTF8.self)
    }

    static func trimmed(_ text: some StringProtocol) -> String {
        trimmed(Array(text.utf8)[...])
    }

    /// `:20:`, `:28C:`, `:NS:` at the start of a line: the tag without colons and where the content starts.
    static func tag(of line: ArraySlice<UInt8>) -> (tag: String, content: Int)? {
        let start = line.startIndex
        guard line.count >= 4, line[start] == 0x3A, isTagCharacter(line[start + 1]), isTagCharacter(line[start + 2]) else { return nil }
        if line[start + 3] == 0x3A {
            return (String(decoding: line[(start + 1)...(start + 2)], as: UTF8.self), start + 4)
        }
        if line.count >= 5, isUpperLetter(line[start + 3]), line[start + 4] == 0x3A {
            return (String(decoding: line[(start + 1)...(start + 3)], as: UTF8.self), start + 5)
        }
        return nil
    }

    /// `-` alone, or `-}` closing a SWIFT block 4.
    static func isTerminator(_ line: ArraySlice<UInt8>) -> Bool {
        line.first == 0x2D && (line.count == 1 || line[line.startIndex + 1] == 0x7D)
    }

    /// Whether the line opens with a SWIFT block header (`{1:`, `{2:`, … `{5:`).
    static func startsWithBlock(_ line: ArraySlice<UInt8>) -> Bool {
        let start = line.startIndex
        return line.count >= 3 && line[start] == 0x7B && (0x31...0x35).contains(line[start + 1]) && line[start + 2] == 0x3A
    }

    /// Drops `{1:…}{2:…}{3:{…}}` blocks and a `{4:` opener; returns what follows `{4:` (often
    /// empty, sometimes `:20:…` on the same line).
    static func strippingBlocks(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var rest = line
        while startsWithBlock(rest) {
            if rest[rest.startIndex + 1] == 0x34 { return rest.dropFirst(3) }
            var depth = 0
            var close: Int?
            for index in rest.indices {
                if rest[index] == 0x7B { depth += 1 } else if rest[index] == 0x7D {
                    depth -= 1
                    if depth == 0 { close = index; break }
                }
            }
            guard let close else { return [] }
            rest = rest[(close + 1)...]
        }
        return rest
    }

    /// The number of Unicode scalars in valid UTF-8: its bytes that do not continue a scalar.
    static func scalarCount(_ utf8: ArraySlice<UInt8>) -> Int {
        utf8.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    /// Whether `scalars`, written as an `:86:` line (after `:86:` when `isFirst`), read back as
    /// themselves: nothing trimmed, and a further line not taken for a tag, a terminator or a block.
    static func isValidInformationLine(_ scalars: ArraySlice<Unicode.Scalar>, isFirst: Bool) -> Bool {
        guard let last = scalars.last, !isTrailingSpace(last) else { return false }
        if isFirst { return !isTrailingSpace(scalars[scalars.startIndex]) }
        let line = utf8(scalars)
        return tag(of: line) == nil && !startsWithBlock(line) && !isTerminator(line)
    }

    /// Whether some further `:86:` line could start with `scalars` (see `isValidInformationLine`).
    static func canStartContinuation(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let head = utf8(scalars.prefix(6))
        return tag(of: head) == nil && !startsWithBlock(head) && !(head.count >= 2 && isTerminator(head))
            && !(scalars.count == 1 && scalars.first == "-")
    }

    private static func utf8(_ scalars: ArraySlice<Unicode.Scalar>) -> ArraySlice<UInt8> {
        Array(String(String.UnicodeScalarView(scalars)).utf8)[...]
    }

    static func isTagCharacter(_ byte: UInt8) -> Bool { isDigit(byte) || isUpperLetter(byte) }

    static func isUpperLetter(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }

    static func isUpperLetter(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `YYMMDD` with the two-digit year in 1980–2079.
    static func date(yymmdd bytes: ArraySlice<UInt8>) -> CalendarDate? {
        guard bytes.count == 6, let yy = number(bytes.prefix(2)), let mm = number(bytes.dropFirst(2).prefix(2)),
              let dd = number(bytes.suffix(2)) else { return nil }
        return CalendarDate(year: yy < 80 ? 2000 + yy : 1900 + yy, month: mm, day: dd)
    }

    /// The booking date `MMDD` in the year that puts it nearest to the value date.
    static func bookingDate(mmdd bytes: ArraySlice<UInt8>, near valueDate: CalendarDate) -> CalendarDate? {
        guard bytes.count == 4, let mm = number(bytes.prefix(2)), let dd = number(bytes.suffix(2)) else { return nil }
        var best: CalendarDate?
        for year in [valueDate.year - 1, valueDate.year, valueDate.year + 1] {
            guard let candidate = CalendarDate(year: year, month: mm, day: dd) else { continue }
            if let current = best,
               abs(current.dayNumber - valueDate.dayNumber) <= abs(candidate.dayNumber - valueDate.dayNumber) { continue }
            best = candidate
        }
        return best
    }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        Digits.value(bytes)
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
