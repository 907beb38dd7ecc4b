/// Splits a text file's bytes into numbered lines.
enum TextLines {
    struct Line {
        /// 1-based.
        let number: Int
        let text: String
    }

    /// Lines split at LF (a CR before it is dropped; a file with CR only is split at CR). Each line
    /// is decoded as UTF-8 when valid, else as ISO-8859-1 (Windows exports), which never fails.
    /// A UTF-8 byte-order mark is skipped.
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
                    try body(Line(number: number, text: decode(bytes[lineStart..<end])))
                    last = number
                }
                number += 1
                lineStart = index + 1
            }
            index += 1
        }
        return last
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
