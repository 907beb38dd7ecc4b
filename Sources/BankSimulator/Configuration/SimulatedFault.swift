/// A failure the simulator can inject into a transfer (services 17 and 18), named as its CLI flag.
///
/// "Before" faults leave nothing booked; "after" faults book the transfer first, so the client
/// cannot tell from the answer whether money moved and must ask with a status inquiry.
public enum SimulatedFault: String, Sendable, Hashable, CaseIterable, Codable {
    /// 401xx00 as if the client's signature were wrong; nothing booked.
    case badSignature = "bad-signature"
    /// 429xx00 with `Retry-After`; nothing booked.
    case throttle = "throttle"
    /// 500xx00; nothing booked.
    case failBefore = "fail-before"
    /// The connection is closed without an answer; nothing booked.
    case dropBefore = "drop-before"
    /// Booked as pending and answered 202xx00; it settles after the configured delay.
    case pending = "pending"
    /// Booked, then answered 504xx00.
    case timeoutAfter = "timeout-after"
    /// Booked, then the connection is closed without an answer.
    case dropAfter = "drop-after"
    /// Booked, then answered 200 with a body that is not JSON.
    case garbage = "garbage"
    /// Booked, then answered 200 `text/html`.
    case wrongContentType = "wrong-content-type"
    /// Booked, then answered 200 with a 10 MiB body.
    case hugeBody = "huge-body"

    /// Whether the transfer is booked before the fault shows.
    public var booksTransfer: Bool {
        switch self {
        case .badSignature, .throttle, .failBefore, .dropBefore: false
        case .pending, .timeoutAfter, .dropAfter, .garbage, .wrongContentType, .hugeBody: true
        }
    }
}
