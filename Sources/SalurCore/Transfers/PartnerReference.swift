/// A transfer's `partnerReferenceNo`: the reference the bank books it under, and the one thing a status
/// inquiry asks about — so it must never be given to two transfers, across installations, fresh or
/// restored databases, forever (DESIGN §4.1).
///
/// A reference is `SLR` followed by 13 characters of Crockford base 32 (digits and upper-case letters
/// without I, L, O, U) drawn from 65 random bits: 16 ASCII alphanumerics, which fit both SNAP's 64 and
/// the 16 characters MT940's `:61:` keeps for the customer's reference. A counter or a row id cannot
/// do this: a restored backup or a new database counts again from where it stood, and hands out
/// references the bank has already booked. Within one database a repeat is also refused by its unique
/// index and drawn again (`redraw`); across databases two random references meet with
/// a probability of about n²/2⁶⁶ — about one in four million after four million transfers under one bank
/// partner id — and a transfer whose answer describes another payment is never believed anyway
/// (`TransferEcho`).
///
/// References stored before this format (`SLR` + 12 digits, from the row id) stay as they are: a
/// transfer's reference never changes once made.
package enum PartnerReference {
    /// What every Salur reference starts with.
    package static let prefix = "SLR"
    /// Characters after the prefix.
    package static let randomLength = 13
    /// Crockford's base 32: no I, L, O or U, so a reference read aloud or retyped is not misread.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// One new reference.
    package static func make<R: RandomNumberGenerator>(using generator: inout R) -> String {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(prefix.utf8.count + randomLength)
        var bits = generator.next() as UInt64
        var left = 64
        for _ in 0..<randomLength {
            if left < 5 {
                bits = generator.next()
                left = 64
            }
            bytes.append(alphabet[Int(bits & 31)])
            bits >>= 5
            left -= 5
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `count` new references (each as `make` draws it), in increasing order, for `count` new transfers
    /// in increasing id order. Which transfer gets which reference is arbitrary, and this order
    /// costs the stores less: the new keys reach the reference's unique index in its own order, each
    /// page visited once, not at random places whose pages fall out of the cache and are read back.
    /// `salur-bench queue` (1,000,000 transfers on SQLite): 19.9 s, against 23.6 s in the order drawn.
    package static func ascending<R: RandomNumberGenerator>(_ count: Int, using generator: inout R) -> [String] {
        // Each keyed by its 16 ASCII bytes read as two big-endian words: String's own order, without its cost.
        var drawn = (0..<count).map { _ -> (key: (UInt64, UInt64), reference: String) in
            var reference = make(using: &generator)
            let key = reference.withUTF8 { bytes -> (UInt64, UInt64) in
                let raw = UnsafeRawBufferPointer(bytes)
                precondition(raw.count == 16, "a reference make draws is 16 bytes")
                return (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            return (key, reference)
        }
        drawn.sort { $0.key < $1.key }
        return drawn.map(\.reference)
    }

    /// Draws again the references at `checked` that the store already holds (`clashing`) and any that
    /// repeats another of `references`; returns the positions drawn again, which are to be checked next.
    /// A store makes `count` fresh references by drawing them, asking which of the unchecked ones it
    /// holds, and calling this until it returns nothing.
    package static func redraw<R: RandomNumberGenerator>(_ references: inout [String], clashing: Set<String>, checked: [Int],
                                                          using generator: inout R) -> [Int] {
        var seen: Set<String> = []
        var again: [Int] = []
        for index in references.indices where !seen.insert(references[index]).inserted { again.append(index) }
        for index in checked where clashing.contains(references[index]) && !again.contains(index) { again.append(index) }
        for index in again { references[index] = make(using: &generator) }
        return again
    }

    /// Whether `text` is a reference Salur could have made (either format).
    package static func isSalurReference(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == prefix.utf8.count + randomLength || utf8.count == prefix.utf8.count + 12,
              text.hasPrefix(prefix) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { alphabet.contains($0) }
    }
}
