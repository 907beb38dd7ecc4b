/// Where one batch stands, for the engine's "batch done" and "batch held" log lines.
package struct BatchProgress: Sendable, Equatable {
    package var id: String
    /// The batch state (`posting`, `done`, `held`, …).
    package var state: String
    package var holdReason: String?
    /// Transfer counts by state.
    package var transfers: [String: Int]

    package init(id: String, state: String, holdReason: String?, transfers: [String: Int]) {
        self.id = id
        self.state = state
        self.holdReason = holdReason
        self.transfers = transfers
    }
}
