import SalurTestSupport

/// Runs the built `salurctl` (next to this test bundle, or `$SALURCTL`), as an operator would.
enum SalurctlProcess {
    typealias Result = BuiltProduct.Output

    /// `salurctl arguments` in `directory`; output goes to files there, so no pipe can fill up.
    static func run(_ arguments: [String], in directory: String) async throws -> Result {
        try await BuiltProduct.run(BuiltProduct.path("salurctl", override: "SALURCTL"), arguments, in: directory)
    }
}
