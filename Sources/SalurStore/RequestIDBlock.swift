import SalurCore

/// The rule both stores apply when an engine reserves numbers for request `X-EXTERNAL-ID`s
/// (`EngineLedger.reserveRequestIDs`): a block is 1 to `maxCount` numbers, taken from the
/// database's one counter by raising it in one statement, and never past what 15 digits hold
/// (`ExternalID.request`).
package enum RequestIDBlock {
    /// A database without its send mark row (`send_mark`, id 1), whose counter the numbers come from;
    /// every migrated database has it.
    package static let sendMarkMissing = "the database has no send mark row (send_mark, id 1); run salurctl db migrate"

    /// The most numbers one reservation may take.
    package static let maxCount = 1_000_000

    /// Refuses a count no engine should ask for.
    package static func check(_ count: Int) throws {
        guard count >= 1, count <= maxCount else {
            throw StoreError.refused("a reservation of request ids must take 1 to \(maxCount) numbers, not \(count)")
        }
    }

    /// The numbers a reservation of `count` took, given the counter's value after it was raised.
    package static func range(endingAt counter: Int64, count: Int) throws -> ClosedRange<Int64> {
        guard counter <= ExternalID.maxRequestNumber else {
            throw StoreError.refused("""
                the database's request id counter (send_mark.requests) is at \(counter), past the \(ExternalID.requestDigits) \
                digits an X-EXTERNAL-ID for an inquiry carries; nothing can be asked of the bank until it is reset
                """)
        }
        return (counter - Int64(count) + 1)...counter
    }
}
