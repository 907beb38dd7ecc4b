import Crypto

/// The content hash that identifies a statement whatever file format it arrived in.
///
/// It covers what reconciliation depends on: account, id, sequence, currency, balances and their
/// dates, and each booked entry's value date, direction, amount, reversal mark and references.
/// Amounts are written as whole rupiah when they have no sen (so statements stored before sen were
/// kept hash as they did), else as rupiah and sen (`12345.67`). Descriptions, transaction codes,
/// names and pending entries are left out: MT940 and camt.053 render them
/// differently (MT940 cannot carry pending entries at all), and the same statement must hash the
/// same from either file.
package enum StatementFingerprint {
    /// Lowercase hex SHA-256.
    package static func contentHash(of record: StatementRecord) -> String {
        var hasher = SHA256()
        func field(_ text: String) {
            // Hashed from the strings' own UTF-8 (no copy into arrays: a million lines make six fields each).
            var length = "\(text.utf8.count):"
            var text = text
            length.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        for text in [record.accountNo, record.statementId, record.sequence, record.currency,
                     record.openingBalanceSen.plain, record.openingDate.description,
                     record.closingBalanceSen.plain, record.closingDate.description] {
            field(text)
        }
        for line in record.lines where line.isBooked {
            field(line.valueDate.description)
            field(line.isDebit ? "D" : "C")
            field(line.isReversal ? "R" : "")
            field(line.amountSen.plain)
            field(line.bankReference)
            field(line.customerReference)
        }
        return AuditChain.hex(hasher.finalize())
    }
}
