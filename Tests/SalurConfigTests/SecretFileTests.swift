import Foundation
import Testing
import SalurConfig

/// Secrets live in their own files; a file readable or writable by group or others is refused.
@Suite("Secret files")
struct SecretFileTests {
    func secret(_ mode: mode_t, in dir: TemporaryDirectory, text: String = "s3cr3t\n") throws -> String {
        let path = dir.file("client_secret")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test("owner-only modes are accepted", arguments: [0o600, 0o400] as [mode_t])
    func ownerOnly(mode: mode_t) throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = try secret(mode, in: dir)
        #expect(try SecretFile.read(path, what: "bank.client_secret_file") == Array("s3cr3t\n".utf8))
        #expect(try SecretFile.readText(path, what: "bank.client_secret_file") == "s3cr3t")
    }

    @Test("group or other bits are refused", arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o660] as [mode_t])
    func shared(mode: mode_t) throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = try secret(mode, in: dir)
        do {
            _ = try SecretFile.read(path, what: "bank.client_secret_file")
            Issue.record("mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.key == "bank.client_secret_file")
            #expect(error.file == path)
            #expect(error.reason.contains("mode \(String(mode, radix: 8))"))
            #expect(error.reason.contains("chmod 600"))
        }
    }

    @Test func missingFile() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        #expect(throws: ConfigError.self) { try SecretFile.read(dir.file("absent"), what: "bank.private_key_file") }
    }
}
