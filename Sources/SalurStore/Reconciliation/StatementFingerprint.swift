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
        // Each field is written as `<length>:<UTF-8>` into a buffer that is hashed when it fills:
        // the same bytes as hashing each field on its own (SHA-256 does not see how its input is
        // split), at one update per 64 KiB instead of twelve per line.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.bufferSize + 1024)
        func field(_ text: String) {
            appendDecimal(text.utf8.count, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= Self.bufferSize {
                buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
                buffer.removeAll(keepingCapacity: true)
            }
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
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return AuditChain.hex(hasher.finalize())
    }

    private static let bufferSize = 1 << 16

    /// `value` (not negative) in decimal digits, as `"\(value)"` writes it.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &buffer) }
        buffer.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
