internal import Glibc
internal import SalurCore

/// The bytes of a CSV statement turned into its records a window at a time, whatever size the
/// chunks they come in: the lines to skip blanked (keeping their line breaks, so that line numbers
/// stay true), a UTF-8 byte-order mark at the start dropped, and the records read by `CSVReader`
/// window by window, each window ending just after a line end outside every quoted field.
///
/// A file is held a window (and the last `skipTrailingLines` non-blank lines) at a time: the
/// trailing lines to skip are known only at the end, so the non-blank lines are handed on only
/// once that many more have come after them.
struct CSVStatementInput {
    /// How many bytes are read at a time, and about how many a window holds.
    static let defaultChunkSize = 1 << 20

    let skipLeadingLines: Int
    let skipTrailingLines: Int
    let file: String
    let separator: UInt8
    let windowBytes: Int
    /// The first record that could not be read as CSV, if one could not: the records after it are not read.
    private(set) var failure: CSVError?

    /// The line (0-based) being read, for the lines to skip.
    private var lineIndex = 0
    /// The line being read, when trailing lines are to be skipped: its bytes (none while it is
    /// a leading line to skip) and whether it has any but spaces, tabs and CRs.
    private var partial: [UInt8] = []
    private var partialNonBlank = false
    /// Lines read and not yet handed on (with their line feed), and how many of them are non-blank.
    private var held: [(bytes: [UInt8], nonBlank: Bool)] = []
    private var heldNonBlank = 0
    private var heldStart = 0

    /// Bytes handed on and not yet read as records.
    private var pending: [UInt8] = []
    private var started = false
    /// The line the next record read starts on (1-based).
    private var line = 1

    init(skipLeadingLines: Int, skipTrailingLines: Int, file: String, separator: UInt8, windowBytes: Int) {
        self.skipLeadingLines = max(0, skipLeadingLines)
        self.skipTrailingLines = max(0, skipTrailingLines)
        self.file = file
        self.separator = separator
        self.windowBytes = max(4, windowBytes)
    }

    /// The next bytes of the file; `record` is called with each record read from them.
    mutating func add(_ chunk: UnsafeRawBufferPointer, _ record: (CSVRecord) -> Void) {
        guard failure == nil, !chunk.isEmpty else { return }
        let bytes = chunk.bindMemory(to: UInt8.self)
        if skipTrailingLines > 0 {
            holdLines(bytes, record)
            return
        }
        var from = 0
        while lineIndex < skipLeadingLines, from < bytes.count {
            // A leading line to skip: its bytes dropped, its line feed kept.
            guard let end = Self.lineFeed(in: bytes, from: from) else { return }
            pass(UnsafeBufferPointer(rebasing: bytes[end...end]), record)
            lineIndex += 1
            from = end + 1
        }
        if from < bytes.count { pass(UnsafeBufferPointer(rebasing: bytes[from...]), record) }
    }

    /// The end of the file: the records not read yet.
    mutating func finish(_ record: (CSVRecord) -> Void) {
        guard failure == nil else { return }
        if skipTrailingLines > 0 {
            if !partial.isEmpty || partialNonBlank {
                held.append((partial, partialNonBlank))
                if partialNonBlank { heldNonBlank += 1 }
                partial = []
                partialNonBlank = false
                release(record)
            }
            // The non-blank lines still held are the last ones: blanked, their line feeds kept.
            for index in heldStart..<held.count {
                let line = held[index]
                let kept = line.nonBlank ? (line.bytes.last == 0x0A ? [0x0A] : []) : line.bytes
                kept.withUnsafeBufferPointer { pass($0, record) }
            }
            held = []
            heldStart = 0
        }
        read(final: true, record)
    }

    // MARK: Lines to skip at the end

    private mutating func holdLines(_ bytes: UnsafeBufferPointer<UInt8>, _ record: (CSVRecord) -> Void) {
        var from = 0
        while from < bytes.count {
            let end = Self.lineFeed(in: bytes, from: from)
            let piece = bytes[from..<(end ?? bytes.count)]
            if !partialNonBlank { partialNonBlank = piece.contains { $0 != 0x0D && $0 != 0x20 && $0 != 0x09 } }
            if lineIndex >= skipLeadingLines { partial += piece }
            guard let end else { return }
            partial.append(0x0A)
            held.append((partial, partialNonBlank))
            if partialNonBlank { heldNonBlank += 1 }
            partial = []
            partialNonBlank = false
            lineIndex += 1
            from = end + 1
            release(record)
        }
    }

    /// Hands on the lines held before the last `skipTrailingLines` non-blank ones, as they are.
    private mutating func release(_ record: (CSVRecord) -> Void) {
        while heldStart < held.count, heldNonBlank > skipTrailingLines || !held[heldStart].nonBlank {
            if held[heldStart].nonBlank { heldNonBlank -= 1 }
            held[heldStart].bytes.withUnsafeBufferPointer { pass($0, record) }
            held[heldStart].bytes = []
            heldStart += 1
        }
        if heldStart > 64, heldStart * 2 > held.count {
            held.removeFirst(heldStart)
            heldStart = 0
        }
    }

    // MARK: Windows of records

    /// Bytes with the lines to skip blanked.
    private mutating func pass(_ bytes: UnsafeBufferPointer<UInt8>, _ record: (CSVRecord) -> Void) {
        guard failure == nil else { return }
        pending.append(contentsOf: bytes)
        if pending.count >= windowBytes { read(final: false, record) }
    }

    /// Reads the records that end in `pending` (all of it when `final`).
    private mutating func read(final: Bool, _ record: (CSVRecord) -> Void) {
        guard failure == nil else { return }
        if !started {
            guard final || pending.count >= 3 else { return }
            started = true
            if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
        }
        let cut: Int
        if final {
            cut = pending.count
        } else if let end = CSVWindows.lastRecordEnd(pending) {
            cut = end
        } else if pending.count >= max(4 * windowBytes, 4 * CSVReader.maxRecordBytes) {
            // No record ends in it: longer than a record may be, which the reader says.
            cut = pending.count
        } else {
            return
        }
        guard cut > 0 else { return }
        do throws(CSVError) {
            var reader = CSVReader(bytes: pending, range: 0..<cut, line: line, file: file, separator: separator)
            while let next = try reader.next() { record(next) }
            line = reader.offset.line
        } catch {
            failure = error
            pending = []
            return
        }
        pending = Array(pending[cut...])
    }

    private static func lineFeed(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < bytes.count, let found = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) else { return nil }
        return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
