/// Transfers by one of their references (normalized, see `ReferenceText.normalized`): four bytes a
/// slot, where a `[String: Int32]` takes twenty and a second copy of every key that needed
/// normalizing. A million transfers' partner and bank references take 16 MiB instead of 84.
///
/// The keys are not kept: a slot holds a transfer's index, and a look-up compares the reference
/// asked for with that transfer's, read again through `key`. A reference held by several transfers
/// finds the last one added, as a dictionary assigned in order would.
struct ReferenceIndex {
    /// Transfer indices; -1 is an empty slot. The count is a power of two, at least twice the keys.
    private var slots: [Int32]
    private let mask: Int
    /// The normalized reference of transfer `index`, or nil when it has none (never indexed).
    private let key: (Int) -> String?

    /// Indexes `count` transfers, 0..<count, by `key` (nil: not indexed).
    init(count: Int, key: @escaping (Int) -> String?) {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        self.key = key
        for index in 0..<count {
            guard let reference = key(index) else { continue }
            var slot = reference.hashValue & mask
            while slots[slot] >= 0 && key(Int(slots[slot])) != reference { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// The transfer whose reference is `reference` (normalized), if any.
    subscript(reference: String) -> Int32? {
        var slot = reference.hashValue & mask
        while slots[slot] >= 0 {
            if key(Int(slots[slot])) == reference { return slots[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
