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
    static func split(_ bytes: [UInt8]) -> [Line] {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let separator: UInt8 = bytes.contains(0x0A) || !bytes.contains(0x0D) ? 0x0A : 0x0D
        var lines: [Line] = []
        var lineStart = start
        var number = 1
        var index = start
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == separator {
                var end = index
                if separator == 0x0A, end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
                if index < bytes.count || lineStart < bytes.count {
                    lines.append(Line(number: number, text: decode(bytes[lineStart..<end])))
                }
                number += 1
                lineStart = index + 1
            }
            index += 1
        }
        return lines
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
