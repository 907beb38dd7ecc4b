/// A non-wage worker's (BPU, bukan penerima upah) premiums for one period, each line rounded on its
/// own. The worker owes all of it, unless a regency subsidises it from its budget.
public struct BPULines: Sendable, Hashable {
    /// JKK, jaminan kecelakaan kerja.
    public let jkk: Rupiah
    /// JKM, jaminan kematian.
    public let jkm: Rupiah
    /// JHT, jaminan hari tua.
    public let jht: Rupiah
    /// JKK + JKM + JHT, summed from the rounded lines.
    public let total: Rupiah

    /// Lines as computed; throws `MoneyError.overflow` when the total does not fit in 64 bits.
    public init(jkk: Rupiah, jkm: Rupiah, jht: Rupiah) throws(MoneyError) {
        self.jkk = jkk
        self.jkm = jkm
        self.jht = jht
        total = try Rupiah.sum([jkk, jkm, jht])
    }
}
