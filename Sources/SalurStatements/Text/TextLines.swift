#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a text file's bytes into numbered lines.
enum TextLines {
    /// One line as UTF-8: the file's bytes when they are valid UTF-8, else each byte read as
    /// ISO-8859-1 (Windows exports) and written as UTF-8, which never fails.
    struct Line {
        /// 1-based.
        let number: Int
        /// Valid UTF-8, without the line end.
        let bytes: ArraySlice<UInt8>
    }

    /// Lines split at LF (a CR before it is dropped; a file with CR only is split at CR). Each line
    /// is read as UTF-8 when valid, else as ISO-8859-1. A UTF-8 byte-order mark is skipped.
    ///
    /// One line at a time, so that a large file is never held as lines too. Returns the number of
    /// the last line (0 for an empty file).
    @discardableResult
    static func forEach<Failure: Error>(in bytes: [UInt8], _ body: (Line) throws(Failure) -> Void) throws(Failure) -> Int {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let separator: UInt8 = bytes.contains(0x0A) || !bytes.contains(0x0D) ? 0x0A : 0x0D
        var last = 0
        var lineStart = start
        var number = 1
        var index = start
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == separator {
                var end = index
                if separator == 0x0A, end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
                if index < bytes.count || lineStart < bytes.count {
                    try body(Line(number: number, bytes: utf8(bytes[lineStart..<end])))
                    last = number
                }
                number += 1
                lineStart = index + 1
            }
            index += 1
        }
        return last
    }

    /// Whether every byte is below 0x80 (one pass that the compiler can run many bytes at a time).
    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var any: UInt8 = 0
            for byte in buffer { any |= byte }
            return any < 0x80
        }
    }

    /// `bytes` when they are valid UTF-8, else each byte read as ISO-8859-1 and written as UTF-8.
    static func utf8(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if isASCII(bytes) { return bytes }
        let invalid = transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
        guard invalid else { return bytes }
        var latin1: [UInt8] = []
        latin1.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            if byte < 0x80 {
                latin1.append(byte)
            } else {
                latin1.append(0xC0 | (byte >> 6))
                latin1.append(0x80 | (byte & 0x3F))
            }
        }
        return latin1[...]
    }
}

extension TextLines {
    /// Where `byte` first occurs in `bytes` (`memchr`).
    static func firstIndex(of byte: UInt8, in bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard let base = bytes.base.baseAddress, !bytes.isEmpty,
              let found = memchr(base + bytes.startIndex, Int32(byte), bytes.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The lines of a file fed a chunk at a time, split as `forEach(in:)` splits the whole file:
    /// only the line being read is held, so a file of any size costs one chunk and one line.
    struct Splitter {
        /// LF, or CR for a file with no LF at all (the caller knows it from a first pass).
        private let separator: UInt8
        private var pending: [UInt8] = []
        private var atStart = true
        private var number = 1
        /// The number of the last line handed on (0 before any).
        private(set) var last = 0

        init(separator: UInt8) { self.separator = separator }

        /// Hands every line that `chunk` completes to `body`.
        mutating func feed<Failure: Error>(_ chunk: UnsafeRawBufferPointer, _ body: (Line) throws(Failure) -> Void) throws(Failure) {
            let bytes = chunk[...]
            if atStart, !bytes.isEmpty {
                // A byte-order mark is skipped; the first chunk holds it whole (chunks are far longer).
                pending += bytes
                guard pending.count >= 3 else { return }
                atStart = false
                let head = pending
                pending = []
                try split(head.starts(with: [0xEF, 0xBB, 0xBF]) ? head[3...] : head[...], body)
                return
            }
            try splitRaw(bytes, body)
        }

        /// Hands on the last line when the file does not end with a line end.
        mutating func finish<Failure: Error>(_ body: (Line) throws(Failure) -> Void) throws(Failure) {
            if atStart {
                atStart = false
                let head = pending
                pending = []
                try split(head.starts(with: [0xEF, 0xBB, 0xBF]) ? head[3...] : head[...], body)
            }
            guard !pending.isEmpty else { return }
            try emit(body)
        }

        private mutating func splitRaw<Failure: Error>(_ bytes: Slice<UnsafeRawBufferPointer>, _ body: (Line) throws(Failure) -> Void) throws(Failure) {
            var lineStart = bytes.startIndex
            while let end = TextLines.firstIndex(of: separator, in: bytes[lineStart...]) {
                pending += bytes[lineStart..<end]
                try emit(body)
                lineStart = end + 1
            }
            pending += bytes[lineStart..<bytes.endIndex]
        }

        private mutating func split<Failure: Error>(_ bytes: ArraySlice<UInt8>, _ body: (Line) throws(Failure) -> Void) throws(Failure) {
            for byte in bytes {
                if byte == separator {
                    try emit(body)
                } else {
                    pending.append(byte)
                }
            }
        }

        private mutating func emit<Failure: Error>(_ body: (Line) throws(Failure) -> Void) throws(Failure) {
            var end = pending.count
            if separator == 0x0A, end > 0, pending[end - 1] == 0x0D { end -= 1 }
            let line = Line(number: number, bytes: TextLines.utf8(pending[..<end]))
            last = number
            number += 1
            defer { pending.removeAll(keepingCapacity: true) }
            try body(line)
        }
    }
}
