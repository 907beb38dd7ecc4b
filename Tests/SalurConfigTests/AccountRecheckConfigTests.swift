import Foundation
import SalurConfig
import Testing

/// `[engine] account_recheck_days`: how long an account check stands before the bank is asked again.
@Suite("Config: engine.account_recheck_days")
struct AccountRecheckConfigTests {
    static let sqlite = "[database]\npath = \"/d/s.db\"\n"

    func errors(_ text: String) -> [ConfigError] { ServiceConfigTests().errors(text) }

    @Test("default 30; 0 turns the schedule off; the example documents it")
    func values() throws {
        #expect(try SalurConfiguration.parse(text: Self.sqlite, file: "/etc/salur/salur.toml").engine.accountRecheckDays == 30)
        #expect(try SalurConfiguration.parse(text: Self.sqlite + "[engine]\naccount_recheck_days = 0\n",
                                             file: "/etc/salur/salur.toml").engine.accountRecheckDays == 0)
        let example = try SalurConfiguration.load(path: ServiceConfigTests.example)
        #expect(example.engine.accountRecheckDays == 30)
    }

    @Test("out of range or not a number: an error naming the key and its line", arguments: ["-1", "3651", "\"30\""])
    func refused(_ value: String) {
        let found = errors(Self.sqlite + "[engine]\naccount_recheck_days = \(value)\n")
        #expect(found.map(\.key) == ["engine.account_recheck_days"], "\(found)")
        #expect(found.first?.line == 4, "\(found)")
    }

    @Test("a reload reports it changed")
    func reload() throws {
        let old = try SalurConfiguration.parse(text: Self.sqlite, file: "/etc/salur/salur.toml")
        let new = try SalurConfiguration.parse(text: Self.sqlite + "[engine]\naccount_recheck_days = 7\n", file: "/etc/salur/salur.toml")
        #expect(old.changedKeys(to: new) == ["engine.account_recheck_days"])
    }
}
