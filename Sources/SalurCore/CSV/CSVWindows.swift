import Glibc

/// A CSV file read a window at a time, so that a file of any size is read in bounded memory.
///
/// Each window holds whole records only: it ends just after a line end that is outside every
/// quoted field (found by counting quotes from the window's start, which is itself the start of
/// a record), and the bytes after it are carried into the next window. A record longer than a
/// window (no such line end in it) comes out as the rest of the window: `CSVReader` refuses it as
/// too long, or for its quotes, before reaching its end. A UTF-8 byte-order mark at the start of
/// the file is skipped.
///
/// Read from one thread at a time (it may be handed to another).
public final class CSVWindows: @unchecked Sendable {
    /// About how many bytes a window holds.
    public static let windowBytes = 1 << 20

    /// The name errors are reported under.
    public let file: String
    /// Bytes read from the file so far.
    public private(set) var bytesRead = 0
    /// Called with the file's bytes as they are read, all of them once in order (a byte-order
    /// mark too): for a digest of the file made while it is read. Set before the first window.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    private let descriptor: Int32
    /// The bytes of a file given in memory, and how far they are handed out.
    private let memory: [UInt8]
    private var memoryOffset = 0
    /// Bytes read and not yet handed out: the start of the next record on.
    private var pending: [UInt8] = []
    private var atEnd = false
    private var started = false

    /// Opens `path` for reading; throws naming the path if it cannot be opened.
    public init(path: String, file: String) throws(InputFile.Failure) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputFile.Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        self.file = file
        memory = []
    }

    /// Windows over a file already in memory.
    public init(bytes: [UInt8], file: String) {
        descriptor = -1
        memory = bytes
        self.file = file
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The next window of whole records, or nil at the end of the file.
    public func next() throws(InputFile.Failure) -> [UInt8]? {
        var wanted = Self.windowBytes
        while true {
            try fill(wanted)
            if !started {
                started = true
                if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
            }
            if pending.isEmpty { return nil }
            if atEnd { return take(pending.count) }
            if let cut = Self.lastRecordEnd(pending) { return take(cut) }
            // No record ends in the window: one more window, and past four the window as it is.
            guard wanted < 4 * Self.windowBytes else { return take(pending.count) }
            wanted += Self.windowBytes
        }
    }

    /// Hands out the first `count` pending bytes.
    private func take(_ count: Int) -> [UInt8] {
        if count == pending.count {
            defer { pending = [] }
            return pending
        }
        let window = Array(pending[..<count])
        pending.removeFirst(count)
        return window
    }

    /// Reads until `pending` holds at least `wanted` bytes or the file ends.
    private func fill(_ wanted: Int) throws(InputFile.Failure) {
        guard !atEnd, pending.count < wanted else { return }
        if descriptor < 0 {
            let stop = min(memory.count, memoryOffset + wanted - pending.count)
            pending += memory[memoryOffset..<stop]
            if let onRead { memory[memoryOffset..<stop].withUnsafeBytes(onRead) }
            bytesRead += stop - memoryOffset
            memoryOffset = stop
            if memoryOffset == memory.count { atEnd = true }
            return
        }
        var chunk = [UInt8](repeating: 0, count: max(1 << 16, wanted - pending.count))
        while pending.count < wanted {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputFile.Failure(description: "cannot read \(file): \(String(cString: strerror(errno)))")
            }
            if n == 0 { atEnd = true; return }
            pending += chunk[..<n]
            if let onRead { chunk[..<n].withUnsafeBytes(onRead) }
            bytesRead += n
        }
    }

    /// Where the last record that ends in `bytes` ends (just after its line feed), or nil if none
    /// does: a line feed outside every quoted field, found by counting quotes from the start (the
    /// start of a record). A file the count misleads has a quote the reader refuses first.
    package static func lastRecordEnd(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
            if memchr(base, Int32(UInt8(ascii: "\"")), buffer.count) == nil {
                // No quote: every line end ends a record.
                var index = buffer.count - 1
                while index >= 0, buffer[index] != 0x0A { index -= 1 }
                return index >= 0 ? index + 1 : nil
            }
            var quoted = false
            var last: Int? = nil
            for index in 0..<buffer.count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\"") { quoted.toggle() } else if byte == 0x0A, !quoted { last = index + 1 }
            }
            return last
        }
    }
}

extension CSVWindows {
    /// Windows over `path` for an import: a file that cannot be opened is refused as a whole, naming it.
    static func opening(path: String, file: String) throws(ImportFailure) -> CSVWindows {
        do { return try CSVWindows(path: path, file: file) } catch {
            throw ImportFailure([ImportIssue(file: file, line: 0, field: "file", reason: error.description)])
        }
    }

    /// Reads the first window's header: its columns, checked as `CSVTable` checks them, and a
    /// reader over that window at the first data record. Throws as `CSVTable` refuses a file.
    func header(required: [String], optional: [String]) throws(ImportFailure) -> (columns: [String: Int], records: CSVReader) {
        do {
            let first = try next() ?? []
            var reader = CSVReader(bytes: first, range: 0..<first.count, line: 1, file: file)
            let columns = try CSVTable.columns(header: try reader.next(), file: file, required: required, optional: optional)
            return (columns, reader)
        } catch {
            throw CSVTable.failure(error, file: file)
        }
    }

    /// Reads every record from `reader` on (see `header`), window after window: each to `record`,
    /// then `windowEnded` after a window's last, which stops the reading by answering false.
    /// Throws the first record that cannot be read as CSV (or a read error) as `CSVTable` refuses it.
    func forEachRecord(from reader: CSVReader, _ record: (CSVRecord) -> Void, windowEnded: () -> Bool) throws(ImportFailure) {
        var reader = reader
        do {
            while true {
                while let next = try reader.next() { record(next) }
                guard windowEnded() else { return }
                let line = reader.offset.line
                guard let window = try next() else { return }
                reader = CSVReader(bytes: window, range: 0..<window.count, line: line, file: file)
            }
        } catch {
            throw CSVTable.failure(error, file: file)
        }
    }
}
