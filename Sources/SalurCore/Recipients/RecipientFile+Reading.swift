extension RecipientFile: CSVImportFile {
    /// A recipients file being read and checked a window at a time (see `CSVImportReading`).
    /// What spans the whole file, a NIK or an account number given twice, is found by whoever
    /// takes the parts — a store, from what it stored (`SQLiteLedger.importRecipients`), or
    /// `rows()` in memory — and handed to `finish`.
    public typealias Reading = CSVImportReading<RecipientFile>
    /// One window of the file, checked.
    public typealias Part = ImportPart<Row>

    /// The NIK and account number a row gives (either nil when not valid): what the duplicate
    /// checks across the file look at, for rows refused for their own issues too.
    public struct Keys: Sendable, Equatable {
        public let line: Int
        public let nik: NIK?
        public let account: String?
    }

    public static func checker(columns: [String: Int], file: String) -> Check {
        Check(indices: Columns(columns))
    }

    /// The own checks of one record (see `RecipientFile.check`).
    public struct Check: CSVImportChecker {
        let indices: Columns

        public func check(_ row: CSVRow, into part: inout Part) {
            RecipientFile.check(row, indices, into: &part)
        }
    }
}

extension ImportPart where Row == RecipientFile.Row {
    /// Every row's keys, valid rows and refused ones, in file order.
    public var keys: [RecipientFile.Keys] {
        var keys: [RecipientFile.Keys] = []
        keys.reserveCapacity(rows.count + refused.count)
        var next = refused.startIndex
        for row in rows {
            while next < refused.endIndex, refused[next].line < row.line { keys.append(refused[next]); next += 1 }
            keys.append(RecipientFile.Keys(line: row.line, nik: row.nik, account: row.accountNo))
        }
        keys += refused[next...]
        return keys
    }
}

extension CSVImportReading where File == RecipientFile {
    /// Every row, the whole file held in memory once it is read and found valid: the duplicates
    /// found by sorting every row's keys.
    public func rows() throws(ImportFailure) -> [RecipientFile.Row] {
        var rows: [RecipientFile.Row] = []
        var niks: [(UInt64, Int)] = []
        var accounts: [(String, Int)] = []
        while let part = nextPart() {
            rows += part.rows
            for keys in part.keys {
                if let nik = keys.nik { niks.append((nik.numericValue, keys.line)) }
                if let account = keys.account { accounts.append((account, keys.line)) }
            }
        }
        try finish(duplicateNIKs: RecipientFile.repeats(niks), duplicateAccounts: RecipientFile.repeats(accounts))
        return rows
    }
}
