import SalurCore
import SalurStore

extension ProgressBar {
    /// Runs store work that tells its rows done (`RowProgress`) under this bar: drawn at 0 of
    /// `total`, moved as the store reports, ended with its last line (or wiped on an error).
    func rows<T>(total: Int, _ body: () async throws -> T) async throws -> T {
        try await around(total: total) {
            try await RowProgress.reporting({ self.update(done: $0) }) { try await body() }
        }
    }
}
