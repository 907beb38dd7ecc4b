/// A strict RFC 4180 reader over bytes in memory.
///
/// Records may span lines (quoted fields with line breaks); each record knows the line it starts
/// on, so errors can name `FILE:LINE`. CRLF and LF line ends are both accepted; a UTF-8 byte-order
/// mark at the start is skipped. Fields stay bytes until asked for, so a caller that validates a
/// million rows pays for UTF-8 decoding once per field it reads.
///
/// A record longer than `maxRecordBytes` or a field longer than `maxFieldBytes` is an error
/// naming its line: no input Salur reads has rows near that long, and a file that does (say one
/// line of millions of commas) is refused before the reader holds more than that much of it.
public struct CSVReader: Sendable {
    /// The longest record (line, or lines of one quoted record) read: 64 KiB.
    public static let maxRecordBytes = 64 * 1024
    /// The longest field read, unquoted: 16 KiB.
    public static let maxFieldBytes = 16 * 1024

    private let bytes: [UInt8]
    private var position: Int
    /// Where the input ends: the whole of `bytes`, or the end of one part of it.
    private let end: Int
    private var line = 1
    /// The name errors are reported under.
    public let file: String
    private let separator: UInt8

    /// A reader over `bytes`, naming `file` in errors; `separator` is `,` unless a dialect says otherwise.
    public init(bytes: [UInt8], file: String, separator: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        self.file = file
        self.separator = separator
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        end = bytes.count
    }

    /// A reader over `bytes[range]` only, whose first byte is on `line`: one part of a file split
    /// at line ends (which is safe only where no quoted field can span the split).
    public init(bytes: [UInt8], range: Range<Int>, line: Int, file: String, separator: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        self.file = file
        self.separator = separator
        position = range.lowerBound
        end = range.upperBound
        self.line = line
    }

    /// The next byte to read, and the line it is on.
    public var offset: (position: Int, line: Int) { (position, line) }

    /// The next record, or nil at the end of the input. A blank line is skipped.
    public mutating func next() throws(CSVError) -> CSVRecord? {
        while position < end {
            // Skip blank lines between records.
            if bytes[position] == 0x0A { position += 1; line += 1; continue }
            if bytes[position] == 0x0D, position + 1 < end, bytes[position + 1] == 0x0A {
                position += 2; line += 1; continue
            }
            return try readRecord()
        }
        return nil
    }

    private mutating func readRecord() throws(CSVError) -> CSVRecord {
        let startLine = line
        let recordStart = position
        var fields: [CSVField] = []
        fields.reserveCapacity(8)
        while true {
            var field = CSVField(bytes: [], quoted: false)
            if position < end, bytes[position] == UInt8(ascii: "\"") {
                field.quoted = true
                position += 1
                var unquoted: [UInt8] = []
                var closed = false
                while position < end {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 < end, bytes[position + 1] == UInt8(ascii: "\"") {
                            unquoted.append(byte); position += 2; continue
                        }
                        position += 1; closed = true; break
                    }
                    if byte == 0x0A { line += 1 }
                    unquoted.append(byte)
                    position += 1
                    if unquoted.count > Self.maxFieldBytes {
                        throw .fieldTooLong(file: file, line: startLine, field: fields.count + 1, limit: Self.maxFieldBytes)
                    }
                }
                field.bytes = ArraySlice(unquoted)
                if !closed { throw .unterminatedQuote(file: file, line: startLine) }
                if position < end, !isEnd(bytes[position]) {
                    throw .textAfterQuote(file: file, line: line, field: fields.count + 1)
                }
            } else {
                let start = position
                // Scanning stops one byte past the longest field allowed: a longer one is not read on.
                let stop = min(end, start + Self.maxFieldBytes + 1)
                while position < stop, !isEnd(bytes[position]) {
                    if bytes[position] == UInt8(ascii: "\"") {
                        throw .quoteInUnquotedField(file: file, line: line, field: fields.count + 1)
                    }
                    position += 1
                }
                if position - start > Self.maxFieldBytes {
                    throw .fieldTooLong(file: file, line: startLine, field: fields.count + 1, limit: Self.maxFieldBytes)
                }
                // A slice of the input: no copy per field. (The field stops at a CR that ends the
                // line, so it never holds one.)
                field.bytes = bytes[start..<position]
            }
            fields.append(field)
            if position - recordStart > Self.maxRecordBytes {
                throw .rowTooLong(file: file, line: startLine, limit: Self.maxRecordBytes)
            }
            if position >= end { break }
            let byte = bytes[position]
            position += 1
            if byte == separator { continue }
            if byte == 0x0D, position < end, bytes[position] == 0x0A { position += 1 }
            line += 1
            break
        }
        return CSVRecord(line: startLine, fields: fields)
    }

    @inline(__always)
    private func isEnd(_ byte: UInt8) -> Bool {
        byte == separator || byte == 0x0A || (byte == 0x0D && position + 1 < end && bytes[position + 1] == 0x0A)
            || (byte == 0x0D && position + 1 == end)
    }
}

/// One field as it stood in the file, unquoted.
public struct CSVField: Sendable, Equatable {
    /// The field's bytes, quotes removed and doubled quotes collapsed (a slice of the input when
    /// nothing had to be unescaped).
    public var bytes: ArraySlice<UInt8>
    /// Whether the field was quoted in the file.
    public var quoted: Bool

    /// The text, or nil when the bytes are not valid UTF-8.
    public var string: String? {
        bytes.withUnsafeBufferPointer { buffer in
            // ASCII, the common case, is valid UTF-8 as it stands: no generic validation per field.
            buffer.allSatisfy { $0 < 0x80 } ? String(decoding: buffer, as: UTF8.self) : String(validating: buffer, as: UTF8.self)
        }
    }
}

/// One record and the line it starts on.
public struct CSVRecord: Sendable {
    /// 1-based line number of the record's first byte.
    public let line: Int
    /// The record's fields, in file order.
    public let fields: [CSVField]
}

/// Why a CSV file could not be read at all.
public enum CSVError: Error, Equatable, CustomStringConvertible {
    case unterminatedQuote(file: String, line: Int)
    case textAfterQuote(file: String, line: Int, field: Int)
    case quoteInUnquotedField(file: String, line: Int, field: Int)
    case rowTooLong(file: String, line: Int, limit: Int)
    case fieldTooLong(file: String, line: Int, field: Int, limit: Int)

    /// The line the error is on, and what is wrong there.
    public var lineAndReason: (line: Int, reason: String) {
        switch self {
        case .unterminatedQuote(_, let line): (line, "a quoted field is never closed (missing \")")
        case .textAfterQuote(_, let line, _): (line, "text after a closing quote")
        case .quoteInUnquotedField(_, let line, _): (line, "a quote inside an unquoted field")
        case .rowTooLong(_, let line, let limit): (line, "the row is longer than \(limit) bytes; refused without reading on")
        case .fieldTooLong(_, let line, let field, let limit): (line, "field \(field) is longer than \(limit) bytes")
        }
    }

    public var description: String {
        switch self {
        case .unterminatedQuote(let file, let line):
            "\(file):\(line): a quoted field is never closed (missing \")"
        case .textAfterQuote(let file, let line, let field):
            "\(file):\(line): field \(field): text after a closing quote"
        case .quoteInUnquotedField(let file, let line, let field):
            "\(file):\(line): field \(field): a quote inside an unquoted field (quote the whole field and double the quote)"
        case .rowTooLong(let file, let line, let limit):
            "\(file):\(line): the row is longer than \(limit) bytes; refused without reading on"
        case .fieldTooLong(let file, let line, let field, let limit):
            "\(file):\(line): field \(field) is longer than \(limit) bytes"
        }
    }
}
