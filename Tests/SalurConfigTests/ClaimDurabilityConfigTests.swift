import Testing
import SalurConfig

/// `[database] synchronous_commit` (what a claim's commit waits for, PostgreSQL) and the settle-time
/// floor with several engines, written once in `SalurConfiguration.longestAttemptMs`.
@Suite("Claim durability and the settle-time floor")
struct ClaimDurabilityConfigTests {
    func parse(_ text: String) -> Result<SalurConfiguration, ConfigErrors> {
        do throws(ConfigErrors) {
            return .success(try SalurConfiguration.parse(text: text, file: "/etc/salur/salur.toml"))
        } catch {
            return .failure(error)
        }
    }

    @Test("synchronous_commit: on by default; on, remote_write or remote_apply; anything else names the key and the choices")
    func synchronousCommit() throws {
        let postgres = "[database]\nurl = \"postgres://salur@127.0.0.1/salur\"\n"
        #expect(try parse(postgres).get().database.synchronousCommit == "on")
        for level in ["on", "remote_write", "remote_apply"] {
            #expect(try parse(postgres + "synchronous_commit = \"\(level)\"\n").get().database.synchronousCommit == level)
        }
        guard case .failure(let errors) = parse(postgres + "synchronous_commit = \"off\"\n") else {
            Issue.record("synchronous_commit = \"off\" was accepted")
            return
        }
        #expect(errors.errors.map(\.key) == ["database.synchronous_commit"])
        #expect(errors.errors.first?.reason.contains("remote_apply") == true)
    }

    @Test("the settle floor is lease + request timeout, the bound the fence at departure gives an attempt", arguments: [
        (30_000, 30_000, 60_000), (1_500, 1_000, 2_500), (300, 100, 400),
    ])
    func settleFloor(lease: Int, request: Int, floor: Int) throws {
        #expect(SalurConfiguration.longestAttemptMs(leaseMs: lease, requestTimeoutMs: request) == floor)
        let text = """
            [database]
            url = "postgres://salur@127.0.0.1/salur"
            [bank]
            base_url = "https://snap.bank.example"
            partner_id = "P"
            client_key = "K"
            client_secret_file = "/s"
            private_key_file = "/k"
            source_account = "0011000000123"
            request_timeout_ms = \(request)
            [engine]
            lease_ms = \(lease)
            [retry]
            not_found_settle_ms = 
            """
        #expect((try? parse(text + "\(floor)\n").get()) != nil)
        guard case .failure(let errors) = parse(text + "\(floor - 1)\n") else {
            Issue.record("a settle window below the floor was accepted")
            return
        }
        #expect(errors.errors.map(\.key) == ["retry.not_found_settle_ms"])
        #expect(errors.errors.first?.reason.contains("= \(floor))") == true, "\(errors.errors)")
    }
}
