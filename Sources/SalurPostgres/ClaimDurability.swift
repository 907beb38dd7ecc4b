import Foundation

/// How far a claim's commit must have gone before the claimed attempts' requests may leave
/// (DESIGN §4.1: the attempt is committed *before* the request leaves). The engine sets it with
/// `SET LOCAL synchronous_commit` on every claim transaction, whatever the server's default, and
/// refuses to post against a server that would not honour it (`refusal`).
package enum ClaimDurability: String, Sendable, CaseIterable {
    /// Flushed to this server's WAL on disk (PostgreSQL's `on`). A failover to a standby that had not
    /// received the commit can lose it: use with no standby, or with failover only by hand.
    case on
    /// Also written (not yet flushed) by the synchronous standbys' operating systems.
    case remoteWrite = "remote_write"
    /// Also applied by the synchronous standbys: a failover to one of them keeps every claim.
    case remoteApply = "remote_apply"

    /// Why a server with these settings would not keep a claim's commit as this level asks — a message
    /// naming the setting and what to do — or nil when it would. The values are `current_setting(…)`'s.
    ///
    /// Refused: `fsync = off` (a commit reported durable may vanish in a crash, after its request left:
    /// the transfer would be sent again and paid twice); `full_page_writes = off` (a crash can tear a
    /// page and corrupt what was committed); `remote_write`/`remote_apply` with no synchronous standby
    /// named (`synchronous_standby_names` empty: PostgreSQL would quietly commit locally only).
    package func refusal(fsync: String, fullPageWrites: String, synchronousStandbyNames: String) -> String? {
        if !Self.isOn(fsync) {
            return "PostgreSQL runs with fsync = \(fsync): a claim's commit could be lost in a crash after its request left, "
                + "and the transfer sent and paid again; set fsync = on in postgresql.conf before salurd posts"
        }
        if !Self.isOn(fullPageWrites) {
            return "PostgreSQL runs with full_page_writes = \(fullPageWrites): a crash can tear a page and lose committed claims; "
                + "set full_page_writes = on in postgresql.conf before salurd posts"
        }
        if self != .on, synchronousStandbyNames.trimmingCharacters(in: .whitespaces).isEmpty {
            return "[database] synchronous_commit = \"\(rawValue)\" needs a synchronous standby, but the server's "
                + "synchronous_standby_names is empty, so PostgreSQL would commit claims on the primary only; name the standby "
                + "in synchronous_standby_names, or set [database] synchronous_commit = \"on\" if there is no standby"
        }
        return nil
    }

    /// PostgreSQL's spellings of a true boolean setting.
    private static func isOn(_ value: String) -> Bool {
        ["on", "true", "yes", "1"].contains(value.lowercased())
    }
}
