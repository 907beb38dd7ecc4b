import BankSimulator
import SalurCore
import Testing

/// Starts an in-process simulator on an ephemeral loopback port, with a client already holding a
/// token, runs `body`, and shuts the simulator down whatever happens.
func withBank(
    authenticate: Bool = true,
    _ configure: (inout BankSimulatorConfig) -> Void = { _ in },
    _ body: (BankSimulator, inout SNAPTestClient) async throws -> Void
) async throws {
    var config = BankSimulatorConfig(
        clientKey: SNAPTestClient.clientKey,
        clientPublicKeyPEM: testClientKey.publicKey.pemRepresentation,
        clientSecret: SNAPTestClient.clientSecret)
    config.partnerID = SNAPTestClient.partnerID
    config.sourceAccountNo = SNAPTestClient.sourceAccount
    config.seed = 7
    configure(&config)
    let simulator = try await BankSimulator.start(config)
    do {
        var client = try SNAPTestClient(port: simulator.port, pathPrefix: config.normalizedPathPrefix)
        if authenticate { try client.authenticate() }
        try await body(simulator, &client)
    } catch {
        try await simulator.shutdown()
        throw error
    }
    try await simulator.shutdown()
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
