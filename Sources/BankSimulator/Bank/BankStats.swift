/// What the simulator has seen since it started or was last reset, as `/admin/stats` lists it.
public struct BankStats: Sendable, Equatable {
    /// Requests received per service, whatever their outcome.
    public internal(set) var requests: [SNAPService: Int] = [:]
    /// Faults injected, per kind.
    public internal(set) var faults: [SimulatedFault: Int] = [:]
    /// SNAP answers given, per `responseCode` (a dropped connection has none).
    public internal(set) var responses: [String: Int] = [:]

    /// No counts.
    public init() {}

    /// `{"requests":{"17":3,…},"faults":{"drop-after":1,…},"responses":{"2001700":2,…}}`, every
    /// service and fault listed, zero or not.
    package var json: JSONValue {
        .object([
            JSONMember("requests", .object(SNAPService.allCases.map {
                JSONMember($0.code, .number(String(requests[$0, default: 0])))
            })),
            JSONMember("faults", .object(SimulatedFault.allCases.map {
                JSONMember($0.rawValue, .number(String(faults[$0, default: 0])))
            })),
            JSONMember("responses", .object(responses.keys.sorted().map {
                JSONMember($0, .number(String(responses[$0, default: 0])))
            })),
        ])
    }
}
