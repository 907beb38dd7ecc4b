import Foundation
import SalurConfig
import Testing

/// `[bank.routing]` and the RTGS and SKN paths: read strictly, each problem with its line.
@Suite("Configuration: [bank.routing]")
struct RoutingConfigTests {
    static let head = "[database]\npath = \"/var/lib/salur/salur.db\"\n" + ConfigurationTests.bank

    @Test("absent: the published limits and the standard paths; given: as written")
    func read() throws {
        let plain = try SalurConfiguration.parse(text: Self.head, file: ConfigurationTests.file)
        #expect(plain.bank?.routing == SalurConfiguration.Routing())
        #expect(plain.bank?.routing.interbankMax == 250_000_000 && plain.bank?.routing.sknMax == 1_000_000_000)
        #expect(plain.bank?.paths.transferRTGS == "/v1.0/transfer-rtgs" && plain.bank?.paths.transferSKN == "/v1.0/transfer-skn")
        let configured = try SalurConfiguration.parse(text: Self.head + """

            [bank.paths]
            transfer_rtgs = "/snap-service/v1/transfer-rtgs"

            [bank.routing]
            interbank_max = 50000000
            interbank_order = ["18", "23", "22"]
            no_bifast_banks = ["535", "BNINIDJA"]

            """, file: ConfigurationTests.file)
        #expect(configured.bank?.routing.interbankMax == 50_000_000)
        #expect(configured.bank?.routing.interbankOrder == ["18", "23", "22"])
        #expect(configured.bank?.routing.noBIFastBanks == ["535", "BNINIDJA"])
        #expect(configured.bank?.paths.transferRTGS == "/snap-service/v1/transfer-rtgs")
        #expect(plain.changedKeys(to: configured) == ["bank.paths.transfer_rtgs", "bank.routing"])
    }

    @Test("an unknown service, a repeated one, rtgs_max below rtgs_min, a bad bank code and a negative limit are refused")
    func refused() throws {
        var errors: [String] = []
        do {
            _ = try SalurConfiguration.parse(text: Self.head + """

                [bank.routing]
                interbank_order = ["18", "17"]
                rtgs_min = 200000000
                rtgs_max = 100000000
                no_bifast_banks = ["5 3"]
                skn_max = -1

                """, file: ConfigurationTests.file)
        } catch {
            errors = error.errors.map(\.description)
        }
        #expect(errors.count == 4, "\(errors)")
        #expect(errors.contains { $0.contains("bank.routing.interbank_order") && $0.contains("\"17\" is not a transfer service") })
        #expect(errors.contains { $0.contains("bank.routing.rtgs_max") && $0.contains("below rtgs_min") })
        #expect(errors.contains { $0.contains("bank.routing.no_bifast_banks") && $0.contains("\"5 3\" is not a bank code") })
        #expect(errors.contains { $0.contains("bank.routing.skn_max") && $0.contains("out of range") })
        do {
            _ = try SalurConfiguration.parse(text: Self.head + "\n[bank.routing]\ninterbank_order = [\"22\", \"22\"]\n", file: ConfigurationTests.file)
            Issue.record("a repeated service must be refused")
        } catch {
            #expect(error.errors.map(\.description).contains { $0.contains("at most once") })
        }
    }

    @Test("X-PARTNER-ID, CHANNEL-ID and the source account within the standard's bounds, each named with its line")
    func headerAndAccountBounds() throws {
        let text = "[database]\npath = \"/var/lib/salur/salur.db\"\n" + ConfigurationTests.bank
            .replacingOccurrences(of: "partner_id = \"SALUR01\"", with: "partner_id = \"\(String(repeating: "P", count: 37))\"\nchannel_id = \"952210\"")
            .replacingOccurrences(of: "source_account = \"0011000000123\"", with: "source_account = \"00110000001230000\"")
        var errors: [String] = []
        do { _ = try SalurConfiguration.parse(text: text, file: ConfigurationTests.file) } catch { errors = error.errors.map(\.description) }
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.contains { $0.contains("bank.partner_id") && $0.contains("at most 36") })
        #expect(errors.contains { $0.contains("bank.channel_id") && $0.contains("1 to 5 digits") })
        #expect(errors.contains { $0.contains("bank.source_account") && $0.contains("at most 16") })
        let fine = try SalurConfiguration.parse(text: Self.head, file: ConfigurationTests.file)
        #expect(fine.bank?.channelID == "95221" && fine.bank?.partnerID == "SALUR01")
    }
}
