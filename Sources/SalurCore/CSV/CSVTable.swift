import Dispatch

/// A CSV file with a header whose columns are named, checked against what an import expects.
///
/// Columns may come in any order. Unknown, duplicate and missing columns, rows with the wrong
/// number of fields and fields that are not UTF-8 are all reported as `ImportIssue`s, so that an
/// import can print every bad row at once and change nothing.
///
/// The whole file is read once when the table is made (so a syntax error refuses it before any row
/// is looked at), keeping only where each record starts; a record's fields are read again when
/// `forEachRow` comes to it. A table holds the file's bytes and 16 bytes per row, not every field
/// of every row at once.
public struct CSVTable: Sendable {
    /// The file name used in issues.
    public let file: String
    /// Column name → index in each record.
    public let columns: [String: Int]
    private let bytes: [UInt8]
    private let separator: UInt8
    private let records: [RecordStart]

    /// Where a data record starts (possibly at blank lines before it) and the line it is on there.
    struct RecordStart: Sendable {
        let position: Int
        let line: Int
    }

    /// Reads and checks the header; throws `ImportFailure` if the file cannot be read as a table.
    public init(bytes: [UInt8], file: String, required: [String], optional: [String] = [],
                separator: UInt8 = UInt8(ascii: ",")) throws(ImportFailure) {
        self.file = file
        self.bytes = bytes
        self.separator = separator
        var reader = CSVReader(bytes: bytes, file: file, separator: separator)
        var records: [RecordStart] = []
        do {
            let columns = try Self.columns(header: try reader.next(), file: file, required: required, optional: optional)
            self.columns = columns
            records = try Self.readRecords(bytes, after: reader, file: file, separator: separator)
        } catch {
            throw Self.failure(error, file: file)
        }
        self.records = records
    }

    /// What reading `file` as a table threw, as the failure an import reports: a CSV error on its
    /// line, an `ImportFailure` as it is, anything else (a read error) against the file.
    package static func failure(_ error: any Error, file: String) -> ImportFailure {
        switch error {
        case let error as CSVError:
            let (line, reason) = error.lineAndReason
            return ImportFailure([ImportIssue(file: file, line: line, field: "row", reason: reason)])
        case let error as ImportFailure:
            return error
        default:
            return ImportFailure([ImportIssue(file: file, line: 0, field: "file", reason: "\(error)")])
        }
    }

    /// The header's columns by name, checked against `required` and `optional`: throws every
    /// unknown, repeated or missing column at once (and for an empty file, `header` nil).
    package static func columns(header: CSVRecord?, file: String, required: [String], optional: [String]) throws(ImportFailure) -> [String: Int] {
        guard let header else {
            throw ImportFailure([ImportIssue(file: file, line: 1, field: "header",
                                             reason: "the file is empty; expected a header with \(required.joined(separator: ","))")])
        }
        var issues: [ImportIssue] = []
        var columns: [String: Int] = [:]
        let known = Set(required + optional)
        for (index, field) in header.fields.enumerated() {
            guard let raw = field.string else {
                issues.append(ImportIssue(file: file, line: header.line, field: "header", reason: "column \(index + 1) is not valid UTF-8"))
                continue
            }
            let name = raw.trimmingSpaces.lowercased()
            if !known.contains(name) {
                issues.append(ImportIssue(file: file, line: header.line, field: name.isEmpty ? "column \(index + 1)" : name,
                                          reason: "unknown column (expected \(required.joined(separator: ","))"
                                            + (optional.isEmpty ? "" : ", optionally \(optional.joined(separator: ","))") + ")"))
            } else if columns[name] != nil {
                issues.append(ImportIssue(file: file, line: header.line, field: name, reason: "column appears twice"))
            } else {
                columns[name] = index
            }
        }
        for name in required where columns[name] == nil {
            issues.append(ImportIssue(file: file, line: header.line, field: name, reason: "required column is missing"))
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return columns
    }

    /// The records after the header. A large file without any quote character is read in parts
    /// side by side, split at line ends (no field can span lines without quotes); the records come
    /// out in file order, and the first error in file order is the one thrown, as when read in one go.
    static func readRecords(_ bytes: [UInt8], after header: CSVReader, file: String, separator: UInt8) throws(CSVError) -> [RecordStart] {
        let (start, firstLine) = header.offset
        let partCount = 4
        guard bytes.count - start >= 4 << 20, !bytes[start...].contains(UInt8(ascii: "\"")) else {
            var reader = header
            return try starts(&reader, capacity: (bytes.count - start) / 64)
        }
        var bounds = [start]
        for part in 1..<partCount {
            var cut = max(bounds[part - 1], start + (bytes.count - start) * part / partCount)
            while cut < bytes.count, bytes[cut] != 0x0A { cut += 1 }
            bounds.append(min(bytes.count, cut + 1))
        }
        bounds.append(bytes.count)
        // Each part's first line: the header's line plus the line ends before it.
        var lines = [firstLine]
        for part in 0..<(partCount - 1) {
            lines.append(lines[part] + bytes[bounds[part]..<bounds[part + 1]].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        }
        let (parts, starts) = (bounds, lines)
        var results = [Result<[RecordStart], CSVError>](repeating: .success([]), count: partCount)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each part writes only its own element.
            nonisolated(unsafe) let base = buffer
            DispatchQueue.concurrentPerform(iterations: partCount) { part in
                var reader = CSVReader(bytes: bytes, range: parts[part]..<parts[part + 1], line: starts[part],
                                       file: file, separator: separator)
                do throws(CSVError) {
                    base[part] = .success(try Self.starts(&reader, capacity: (parts[part + 1] - parts[part]) / 64))
                } catch {
                    base[part] = .failure(error)
                }
            }
        }
        var records: [RecordStart] = []
        records.reserveCapacity((bytes.count - start) / 64)
        for result in results { records += try result.get() }
        return records
    }

    /// Reads `reader` to its end, keeping where each record starts.
    private static func starts(_ reader: inout CSVReader, capacity: Int) throws(CSVError) -> [RecordStart] {
        var records: [RecordStart] = []
        records.reserveCapacity(capacity)
        while true {
            let (position, line) = reader.offset
            guard try reader.next() != nil else { return records }
            records.append(RecordStart(position: position, line: line))
        }
    }

    /// The record that starts at `start`, read again (it was read without error when the table was made).
    private func record(at start: RecordStart) -> CSVRecord? {
        var reader = CSVReader(bytes: bytes, range: start.position..<bytes.count, line: start.line, file: file, separator: separator)
        return try? reader.next()
    }

    /// How many data rows the file has.
    public var rowCount: Int { records.count }

    /// Columns in file order, so issues come out in the same order on every run.
    private var orderedColumns: [(key: String, value: Int)] { columns.sorted { $0.value < $1.value } }

    /// Calls `body` for every data row that has the header's field count and valid UTF-8; rows
    /// that do not are reported into `issues` and skipped.
    public func forEachRow(issues: inout [ImportIssue], _ body: (CSVRow, inout [ImportIssue]) -> Void) {
        forEachRow(in: 0..<records.count, issues: &issues, body)
    }

    /// `forEachRow(issues:_:)` over the data rows at `range` (0-based) only, so that parts of a large
    /// file can be checked side by side.
    ///
    /// Once `issues` holds more than `ImportIssue.limit`, the remaining rows are not checked: the
    /// file will be refused, and its first problems are what it is refused with.
    public func forEachRow(in range: Range<Int>, issues: inout [ImportIssue], _ body: (CSVRow, inout [ImportIssue]) -> Void) {
        let orderedColumns = self.orderedColumns
        for start in records[range] {
            if issues.count > ImportIssue.limit { return }
            guard let record = record(at: start),
                  let row = Self.row(record, file: file, columns: columns, ordered: orderedColumns, issues: &issues) else { continue }
            body(row, &issues)
        }
    }
}

extension CSVTable {
    /// `record` as a row of a table with `columns` (`ordered` the same, in file order), or nil with
    /// the reason in `issues` when it has another field count or a field that is not UTF-8.
    package static func row(_ record: CSVRecord, file: String, columns: [String: Int], ordered: [(key: String, value: Int)],
                    issues: inout [ImportIssue]) -> CSVRow? {
        let width = columns.count
        guard record.fields.count == width else {
            issues.append(ImportIssue(file: file, line: record.line, field: "row",
                                      reason: "wrong field count: expected \(width), found \(record.fields.count)"))
            return nil
        }
        var values = [String?](repeating: nil, count: width)
        var valid = true
        for (name, index) in ordered {
            guard let text = record.fields[index].string else {
                issues.append(ImportIssue(file: file, line: record.line, field: name, reason: "not valid UTF-8"))
                valid = false
                continue
            }
            values[index] = text
        }
        return valid ? CSVRow(file: file, line: record.line, columns: columns, values: values) : nil
    }
}

/// One data row of a `CSVTable`, by column name.
public struct CSVRow: Sendable {
    public let file: String
    public let line: Int
    let columns: [String: Int]
    let values: [String?]

    /// The field, trimmed of surrounding spaces; nil when the column is absent from the file.
    public subscript(_ column: String) -> String? {
        self[at: columns[column]]
    }

    /// The field at a column index from `CSVTable.columns` (looked up once per file rather than
    /// once per row), trimmed of surrounding spaces; nil when `index` is nil.
    public subscript(at index: Int?) -> String? {
        guard let index else { return nil }
        return values[index]?.trimmingSpaces
    }

    /// An issue about `field` on this row.
    public func issue(_ field: String, _ reason: String) -> ImportIssue {
        ImportIssue(file: file, line: line, field: field, reason: reason)
    }
}
