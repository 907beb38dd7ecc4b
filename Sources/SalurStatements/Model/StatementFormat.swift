/// Which kind of file a statement came from.
public enum StatementFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// SWIFT MT940 customer statement.
    case mt940
    /// ISO 20022 camt.053 bank-to-customer statement.
    case camt053
    /// A bank's own CSV export (mutasi rekening), read through a `CSVStatementMapping`.
    case csv

    /// Guesses the format from the first bytes of a file: a `:20:` tag near the top is MT940, a
    /// `<Document` that names `camt.053` is camt.053; anything else (CSV included) is nil, since
    /// a CSV file needs its column mapping anyway.
    public static func detect(bytes: [UInt8]) -> StatementFormat? {
        let head = Array(bytes.prefix(4096))
        if contains(head, "<Document"), contains(head, "camt.053") { return .camt053 }
        // `:20:` at the start of one of the first lines, or right after a `{4:` block opener.
        var lineStart = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lines = 0
        while lineStart < head.count, lines < 30 {
            let end = head[lineStart...].firstIndex(of: 0x0A) ?? head.count
            var line = head[lineStart..<end]
            while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
            if line.starts(with: Array(":20:".utf8)) { return .mt940 }
            if let block = find(line, "{4:"), line[(block + 3)...].starts(with: Array(":20:".utf8)) { return .mt940 }
            lineStart = end + 1
            lines += 1
        }
        return nil
    }

    private static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        find(bytes[...], needle) != nil
    }

    private static func find(_ bytes: ArraySlice<UInt8>, _ needle: String) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return nil }
        var index = bytes.startIndex
        while index + pattern.count <= bytes.endIndex {
            if bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}
