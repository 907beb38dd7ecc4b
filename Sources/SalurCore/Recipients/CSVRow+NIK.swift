extension CSVRow {
    /// The row's `nik` column as a valid NIK, or nil with the reason added to `issues`.
    public func nik(issues: inout [ImportIssue]) -> NIK? {
        nik(at: columns["nik"], issues: &issues)
    }

    /// `nik(issues:)` with the column index looked up beforehand.
    public func nik(at column: Int?, issues: inout [ImportIssue]) -> NIK? {
        do throws(NIKError) {
            return try NIK(validating: self[at: column] ?? "")
        } catch {
            issues.append(issue("nik", error.description))
            return nil
        }
    }

    /// A NIK already read from this row with `nik(at:issues:)` (nil when it was refused), perhaps on
    /// another thread, refused when an earlier row of the file already gave it (`seen` maps each NIK,
    /// kept as its number, to its first line; `note` explains why one per file).
    public func uniqueNIK(_ nik: NIK?, seen: inout [UInt64: Int], issues: inout [ImportIssue], note: String = "") -> NIK? {
        once(nik, key: \.numericValue, seen: &seen, issues: &issues, note: note)
    }

    private func once<Key: Hashable>(_ nik: NIK?, key: (NIK) -> Key, seen: inout [Key: Int], issues: inout [ImportIssue],
                                     note: String) -> NIK? {
        guard let nik else { return nil }
        let key = key(nik)
        if let first = seen[key] {
            issues.append(issue("nik", "duplicate NIK in this file (first on line \(first))\(note)"))
        } else {
            seen[key] = line
        }
        return nik
    }
}
