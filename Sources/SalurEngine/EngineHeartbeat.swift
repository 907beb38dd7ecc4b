/// A beat the engine gives from inside its own loop — between requests of a posting session, between
/// the slices of an idle wait — at most every `interval`. salurd turns it into systemd's `WATCHDOG=1`:
/// because no timer of its own gives the beat, a loop that stops also stops the beats.
package struct EngineHeartbeat: Sendable {
    /// The shortest time between two beats.
    package var interval: Duration
    /// Called on the engine's task; keep it short and non-blocking.
    package var beat: @Sendable () async -> Void

    package init(interval: Duration, beat: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.beat = beat
    }
}
