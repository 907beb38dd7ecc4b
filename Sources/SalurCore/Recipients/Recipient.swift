/// Penerima bansos: a person the city pays non-cash social aid to.
public struct Recipient: Sendable, Hashable {
    public var nik: NIK
    public var name: String
    /// The aid programme, e.g. `BANSOS-NT`.
    public var program: String
    /// Kecamatan.
    public var district: String
    public var phone: String
    public var opening: AccountOpening

    public init(nik: NIK, name: String, program: String, district: String, phone: String,
                opening: AccountOpening = .notRequested) {
        self.nik = nik
        self.name = name
        self.program = program
        self.district = district
        self.phone = phone
        self.opening = opening
    }
}
