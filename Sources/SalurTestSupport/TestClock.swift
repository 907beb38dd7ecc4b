import Foundation
package import SalurCore

extension WallClock {
    /// The day the test fixtures' story happens: Monday 2026-11-23, 10:00 WIB (03:00 UTC) — the
    /// period `2026-11`, its batches `B-2026-11-…` and the statements dated that day. A ledger
    /// under test reads this clock, not the machine's, so the suite passes on any date.
    package static let testDay = WallClock.fixed(Date(timeIntervalSince1970: 1_795_402_800))
}
