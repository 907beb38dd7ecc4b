import Crypto
package import SalurCore

/// One page of the reconciliation export's rows, as both stores read it: a page of transfers in id
/// order (keyset: `id > last` … `LIMIT n`), then the matched entries and open exceptions of the
/// transfers whose ids lie between the page's first and last, kept only for the page's own
/// transfers. Pages never overlap, so reading every page reads each entry and exception once.
package struct ReconciledTransferPage {
    /// How many transfers a page holds when the caller does not say.
    package static let defaultSize = 10_000

    private let records: [TransferRecord]
    private let ids: Set<Int64>
    private var paid: [Int64: (entry: MatchedEntry, kind: String)] = [:]
    private var duplicates: [Int64: Int] = [:]
    private var exceptions: [Int64: [String]] = [:]

    package init(_ records: [TransferRecord]) {
        self.records = records
        ids = Set(records.map(\.transferID))
    }

    /// The lowest and highest transfer id of the page; nil when it is empty.
    package var bounds: (first: Int64, last: Int64)? {
        guard let first = records.first?.transferID, let last = records.last?.transferID else { return nil }
        return (first, last)
    }

    /// A row of `entriesSQL`, in entry order: the first reference or weak match of a transfer pays
    /// it; each `duplicate` counts.
    package mutating func entry(transfer: Int64, kind: String, _ entry: () -> MatchedEntry) {
        guard ids.contains(transfer) else { return }
        if kind == "duplicate" {
            duplicates[transfer, default: 0] += 1
        } else if paid[transfer] == nil {
            paid[transfer] = (entry(), kind)
        }
    }

    /// A row of `exceptionsSQL`, in kind order.
    package mutating func exception(transfer: Int64, kind: String) {
        guard ids.contains(transfer) else { return }
        exceptions[transfer, default: []].append(kind)
    }

    /// The page's rows, in transfer id order.
    package var transfers: [ReconciledTransfer] {
        records.map { record in
            let found = paid[record.transferID]
            let open = exceptions[record.transferID] ?? []
            return ReconciledTransfer.make(transfer: record, entry: found?.entry, matchKind: found?.kind ?? "",
                                           duplicates: duplicates[record.transferID] ?? 0, openExceptions: open,
                                           recipientFlagged: open.contains(ExceptionKind.returned.rawValue))
        }
    }

    /// The matched entries of transfers with ids from `first` to `last` (the two placeholders, in
    /// the store's dialect), in entry order: id, transfer id, match kind, line, value date, bank
    /// reference, amount, statement id, sequence, source file, sen part.
    package static func entriesSQL(first: String, last: String) -> String {
        """
        SELECT e.id, e.transfer_id, e.match_kind, e.line, e.value_date, e.bank_reference, e.amount,
               s.statement_id, s.sequence, s.source_file, e.amount_sen_part
        FROM statement_entry e JOIN statement s ON s.id = e.statement_row
        WHERE e.match_kind IN ('reference', 'weak', 'duplicate') AND e.transfer_id BETWEEN \(first) AND \(last) ORDER BY e.id
        """
    }

    /// The open exceptions of transfers with ids from `first` to `last`, by kind (`collate`: how
    /// the store sorts text byte by byte, as SQLite does by default).
    package static func exceptionsSQL(first: String, last: String, collate: String = "") -> String {
        """
        SELECT transfer_id, kind FROM reconciliation_exception
        WHERE state = 'open' AND transfer_id BETWEEN \(first) AND \(last) ORDER BY kind\(collate)
        """
    }

    /// The `WHERE` clauses choosing the exported transfers after `id > last`: one batch, or settled
    /// or queued between `from` and `to`. `placeholder` gives the store's placeholder for the n-th
    /// argument; the arguments follow in the order returned.
    package static func filter(from: String?, to: String?, batchID: String?,
                               placeholder: (Int) -> String) -> (clauses: [String], arguments: [String]) {
        var clauses = ["id > \(placeholder(1))"]
        var arguments: [String] = []
        func add(_ clause: (String) -> String, _ value: String) {
            arguments.append(value)
            clauses.append(clause(placeholder(arguments.count + 1)))
        }
        if let batchID {
            add({ "batch_id = \($0)" }, batchID)
        } else {
            if let from { add({ "substr(coalesce(settled_at, created_at), 1, 10) >= \($0)" }, from) }
            if let to { add({ "substr(coalesce(settled_at, created_at), 1, 10) <= \($0)" }, to) }
        }
        return (clauses, arguments)
    }
}

/// SHA-256 of a file as it is written, a piece at a time: the hash `AuditChain.sha256Hex` gives for
/// the whole file, without holding it.
package struct StreamingSHA256: Sendable {
    private var hasher = SHA256()

    package init() {}

    package mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    package mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) } }

    /// The hash, hex.
    package func hex() -> String { AuditChain.hex(hasher.finalize()) }
}
