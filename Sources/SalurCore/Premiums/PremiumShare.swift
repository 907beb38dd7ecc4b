/// Who pays a wage earner's premium line.
public enum PremiumShare: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Iuran pemberi kerja: paid by the employer on top of the wage.
    case employer
    /// Iuran pekerja: deducted from the employee's pay.
    case employee

    /// `employer`
    public var description: String { rawValue }
}
