/// A request the bank turns down, with the SNAP outcome to answer.
struct Refusal: Error {
    let status: SNAPStatus

    init(_ status: SNAPStatus) { self.status = status }
}
