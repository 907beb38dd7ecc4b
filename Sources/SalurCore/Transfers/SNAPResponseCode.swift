/// SNAP-BI's seven-digit `responseCode`: HTTP status (3) + service code (2) + case (2).
public struct SNAPResponseCode: Sendable, Hashable, CustomStringConvertible {
    public let httpStatus: Int
    public let service: String
    public let caseCode: String
    /// As received, e.g. `2001700`.
    public let raw: String

    /// Parses `2001700`; nil unless it is seven characters starting with a three-digit status.
    public init?(_ raw: String) {
        let chars = Array(raw)
        guard chars.count == 7, let status = Int(String(chars[0..<3])), (100...599).contains(status) else { return nil }
        httpStatus = status
        service = String(chars[3..<5])
        caseCode = String(chars[5..<7])
        self.raw = raw
    }

    public var description: String { raw }
}
