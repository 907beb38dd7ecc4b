package import SalurConfig

/// What a config reload (SIGHUP) may change while the engine runs; salurd's `ConfigReloader` applies it.
///
/// Applied at once: `[batching]`, `[retry]`, `[engine]` poll interval and chunk size (from the next
/// pass), `[engine] shutdown_timeout_ms`, `[log] level`, and all of `[bank]` (a new `BankConnection`,
/// while requests in flight finish on the old one). Refused, keeping the old config whole: a file with
/// any error, a changed `database.path` or `database.url`, anything start-up refuses (`StartupCheck`),
/// and a move to another bank or account while transfers are in flight or in doubt. Needs a restart:
/// `restartOnly`.
package enum ReloadPolicy {
    /// Keys read only at start.
    package static let restartOnly: Set<String> = ["database.busy_timeout_ms", "database.password_file", "database.max_connections",
                                                   "database.synchronous_commit",
                                                   "engine.watchdog_interval_ms", "engine.lease_ms", "metrics.listen"]

    /// Why `new` may not replace `old`, whatever the engine is doing; nil when it may.
    package enum Refusal: Sendable {
        /// The database changed (`database.path` or `database.url`, the key given): salurd serves one
        /// database for its whole life.
        case databaseChanged(key: String)
        /// What start-up would refuse (`StartupCheck`: secrets, key, TLS files).
        case startupProblems([ConfigError])
    }

    package static func refusal(replacing old: SalurConfiguration, with new: SalurConfiguration) -> Refusal? {
        if new.database.path != old.database.path || new.database.displayName != old.database.displayName {
            return .databaseChanged(key: old.database.isPostgres || new.database.isPostgres ? "database.url" : "database.path")
        }
        let problems = StartupCheck.run(new, role: .start, needsBank: true).errors
        if !problems.isEmpty { return .startupProblems(problems) }
        return nil
    }

    /// The changed keys (`SalurConfiguration.changedKeys`) that point the engine at another bank
    /// endpoint or account: refused while transfers are in flight or in doubt, which only the bank
    /// that may have booked them can settle (another bank's "not found" could lead to paying again).
    package static func bankMoves(in changed: [String]) -> [String] {
        let identity = ["bank.base_url", "bank.path_prefix", "bank.partner_id", "bank.source_account"]
        return changed.filter { identity.contains($0) || $0.hasPrefix("bank.paths") }
    }
}
