/// A BPJS Ketenagakerjaan programme (program jaminan sosial ketenagakerjaan) a premium is paid for.
public enum Programme: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// JKK, jaminan kecelakaan kerja: work-accident premium, paid by the employer, by risk class.
    case jkk = "JKK"
    /// JKM, jaminan kematian: death benefit premium, paid by the employer.
    case jkm = "JKM"
    /// JHT, jaminan hari tua: old-age savings premium, shared by employer and employee.
    case jht = "JHT"
    /// JP, jaminan pensiun: pension premium, shared, on the wage up to the yearly ceiling.
    case jp = "JP"

    /// `JKK`
    public var description: String { rawValue }

    /// Whether the law puts the whole premium on the employer (JKK, JKM): such a programme has no
    /// employee share in the rate table.
    public var isEmployerOnly: Bool { self == .jkk || self == .jkm }
}
