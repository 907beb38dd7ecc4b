import Foundation
import SalurConfig
import Testing

/// `[metrics] listen`: off by default; a loopback address or a Unix socket path, nothing else.
@Suite("Configuration: [metrics]")
struct MetricsConfigTests {
    static let head = "[database]\npath = \"/var/lib/salur/salur.db\"\n" + ConfigurationTests.bank

    static func errors(_ listen: String) -> [String] {
        do {
            _ = try SalurConfiguration.parse(text: head + "\n[metrics]\nlisten = \(listen)\n", file: ConfigurationTests.file)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test("absent: no metrics are served")
    func offByDefault() throws {
        #expect(try SalurConfiguration.parse(text: Self.head, file: ConfigurationTests.file).metrics.listen == nil)
    }

    @Test("loopback addresses and Unix socket paths are read", arguments: [
        ("127.0.0.1:9464", SalurConfiguration.Listen.tcp(host: "127.0.0.1", port: 9464)),
        ("127.0.0.2:0", .tcp(host: "127.0.0.2", port: 0)),
        ("[::1]:9464", .tcp(host: "::1", port: 9464)),
        ("localhost:9464", .tcp(host: "127.0.0.1", port: 9464)),
        ("/run/salur/metrics.sock", .unixSocket(path: "/run/salur/metrics.sock")),
    ])
    func accepted(text: String, listen: SalurConfiguration.Listen) throws {
        let configuration = try SalurConfiguration.parse(text: Self.head + "\n[metrics]\nlisten = \"\(text)\"\n", file: ConfigurationTests.file)
        #expect(configuration.metrics.listen == listen)
    }

    @Test("anything but loopback or a socket path is refused, naming metrics.listen and its line", arguments: [
        ("\"0.0.0.0:9464\"", "is not a loopback address"),
        ("\"10.1.2.3:9464\"", "is not a loopback address"),
        ("\"metrics.example:9464\"", "is not a loopback address"),
        ("\"127.0.0.1.example:9464\"", "is not a loopback address"),
        ("\"[::]:9464\"", "is not a loopback address"),
        ("\"127.0.0.1\"", "is not HOST:PORT"),
        ("\"127.0.0.1:http\"", "is not a port number"),
        ("\"127.0.0.1:70000\"", "is not a port number"),
        ("\"run/metrics.sock\"", "is not HOST:PORT"),
        ("9464", "must be a string"),
    ])
    func refused(value: String, reason: String) {
        let errors = Self.errors(value)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix(ConfigurationTests.file + ":") == true, "\(errors)")
        #expect(errors.first?.contains(": metrics.listen: ") == true, "\(errors)")
        #expect(errors.first?.contains(reason) == true, "\(errors)")
    }

    @Test("an unknown key in [metrics] is named")
    func unknownKey() {
        let errors = Self.errors("\"127.0.0.1:9464\"\nport = 9464")
        #expect(errors.contains { $0.contains("metrics.port: unknown key") }, "\(errors)")
    }

    @Test("a changed listen address is reported by a reload")
    func changed() throws {
        let old = try SalurConfiguration.parse(text: Self.head, file: ConfigurationTests.file)
        let new = try SalurConfiguration.parse(text: Self.head + "\n[metrics]\nlisten = \"127.0.0.1:9464\"\n", file: ConfigurationTests.file)
        #expect(old.changedKeys(to: new) == ["metrics.listen"])
    }
}
