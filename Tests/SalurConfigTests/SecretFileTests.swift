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

    @Test("load keeps the kind of failure: missing, exposed, not a regular file")
    func failureKinds() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        func kind(_ path: String, ownerOnly: Bool = true) -> SecretFile.Failure.Kind? {
            if case .failure(let failure) = SecretFile.load(path, what: "bank.client_secret_file", environment: [:], ownerOnly: ownerOnly) {
                #expect(failure.error.key == "bank.client_secret_file")
                #expect(failure.error.file == path)
                return failure.kind
            }
            return nil
        }
        #expect(kind(dir.file("absent")) == .missing)
        #expect(kind(dir.file("absent/inside")) == .missing)
        #expect(kind(dir.path) == .notRegularFile)
        let shared = try secret(0o644, in: dir)
        #expect(kind(shared) == .exposed)
        // A certificate or CA bundle need not be private.
        #expect(kind(shared, ownerOnly: false) == nil)
        #expect(try SecretFile.load(shared, what: "bank.ca_file", environment: [:], ownerOnly: false).get() == Array("s3cr3t\n".utf8))
    }

    @Test("the text of a secret loses its trailing line breaks, CRLF included", arguments: [
        ("s3cr3t\n", "s3cr3t"), ("s3cr3t\r\n", "s3cr3t"), ("s3cr3t\n\n", "s3cr3t"), ("s3 cr3t", "s3 cr3t"), ("\n", ""), ("", ""),
    ])
    func text(bytes: String, text: String) {
        #expect(SecretFile.text(of: Array(bytes.utf8)) == text)
    }

    @Test func otherUnitsCredential() {
        #expect(SecretFile.isOtherUnitsCredential("/run/credentials/salurd.service/client_secret", environment: [:]))
        #expect(!SecretFile.isOtherUnitsCredential("/etc/salur/credentials/client_secret", environment: [:]))
        #expect(!SecretFile.isOtherUnitsCredential("/run/credentials/salurd.service/client_secret",
                                                   environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/salurd.service"]))
    }
}
