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

/// A valid row of a file whose NIKs and account numbers must each be given once.
public protocol KeyedImportRow: Sendable {
    /// The NIK and account number the row gives.
    var keys: RecipientFile.Keys { get }
}

extension RecipientFile.Row: KeyedImportRow {
    public var keys: RecipientFile.Keys { RecipientFile.Keys(line: line, nik: nik, account: accountNo) }
}

extension OpeningResultFile.Row: KeyedImportRow {
    /// Its NIK, and the account number it opens.
    public var keys: RecipientFile.Keys {
        if case .opened(let account) = result { return RecipientFile.Keys(line: line, nik: nik, account: account) }
        return RecipientFile.Keys(line: line, nik: nik, account: nil)
    }
}

extension ImportPart where Row: KeyedImportRow {
    /// Every row's keys, valid rows and refused ones, in file order.
    public var keys: [RecipientFile.Keys] {
        var keys: [RecipientFile.Keys] = []
        keys.reserveCapacity(rows.count + refused.count)
        var next = refused.startIndex
        for row in rows {
            let key = row.keys
            while next < refused.endIndex, refused[next].line < key.line { keys.append(refused[next]); next += 1 }
            keys.append(key)
        }
        keys += refused[next...]
        return keys
    }
}

extension RecipientFile {
    /// The keys of a whole file held in memory, and the lines that repeat one, found by sorting.
    public struct KeyRepeats {
        private var nikLines: [(UInt64, Int)] = []
        private var accountLines: [(String, Int)] = []

        public init() {}

        /// Notes the keys of rows.
        public mutating func add(_ keys: [Keys]) {
            for key in keys {
                if let nik = key.nik { nikLines.append((nik.numericValue, key.line)) }
                if let account = key.account { accountLines.append((account, key.line)) }
            }
        }

        /// Every line that gives the NIK of an earlier line, with that line.
        public var niks: [(line: Int, first: Int)] { RecipientFile.repeats(nikLines) }
        /// Every line that gives the account number of an earlier line, with that line.
        public var accounts: [(line: Int, first: Int)] { RecipientFile.repeats(accountLines) }
    }
}

extension CSVImportReading where File == RecipientFile {
    /// Every row, the whole file held in memory once it is read and found valid: the duplicates
    /// found by sorting every row's keys.
    public func rows() throws(ImportFailure) -> [RecipientFile.Row] {
        var rows: [RecipientFile.Row] = []
        var keys = RecipientFile.KeyRepeats()
        while let part = nextPart() {
            rows += part.rows
            keys.add(part.keys)
        }
        try finish(duplicateNIKs: keys.niks, duplicateAccounts: keys.accounts)
        return rows
    }
}
