import Foundation
import SalurConfig
import Testing

/// `[bank.account_status]`: a bank's own wordings of an account's status, checked strictly.
@Suite("Configuration: [bank.account_status]")
struct AccountStatusConfigTests {
    static let head = "[database]\npath = \"/var/lib/salur/salur.db\"\n" + ConfigurationTests.bank

    @Test("the lists are read; absent, both are empty (the built-in wordings apply)")
    func read() throws {
        let plain = try SalurConfiguration.parse(text: Self.head, file: ConfigurationTests.file)
        #expect(plain.bank?.accountStatus == SalurConfiguration.AccountStatus())
        let configured = try SalurConfiguration.parse(text: Self.head + """

            [bank.account_status]
            active = ["A", "Rekening Aktif Penuh"]
            not_payable = ["D", "C"]

            """, file: ConfigurationTests.file)
        #expect(configured.bank?.accountStatus.active == ["A", "Rekening Aktif Penuh"])
        #expect(configured.bank?.accountStatus.notPayable == ["D", "C"])
    }

    @Test("a wrong type, an empty wording, a wording in both lists and an unknown key are named with their line")
    func refused() throws {
        let text = Self.head + """

            [bank.account_status]
            active = "A"
            not_payable = ["D", ""]
            inactive = ["X"]

            """
        var errors: [String] = []
        do {
            _ = try SalurConfiguration.parse(text: text, file: ConfigurationTests.file)
        } catch {
            errors = error.errors.map(\.description)
        }
        #expect(errors.contains { $0.contains("bank.account_status.active: must be an array of strings") }, "\(errors)")
        #expect(errors.contains { $0.contains("bank.account_status.not_payable: entry 2 must be a non-empty string") }, "\(errors)")
        #expect(errors.contains { $0.contains("bank.account_status.inactive: unknown key") }, "\(errors)")
        #expect(errors.allSatisfy { $0.hasPrefix(ConfigurationTests.file + ":") })

        var both: [String] = []
        do {
            _ = try SalurConfiguration.parse(text: Self.head + "\n[bank.account_status]\nactive = [\"Aktif\"]\nnot_payable = [\" aktif\"]\n",
                                             file: ConfigurationTests.file)
        } catch {
            both = error.errors.map(\.description)
        }
        #expect(both.contains { $0.contains("bank.account_status.not_payable: \"aktif\" is also listed as active") }, "\(both)")
    }
}
