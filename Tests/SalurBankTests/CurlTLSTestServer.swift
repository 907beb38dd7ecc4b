import Foundation

/// Certificates for the TLS tests, made once per test process with the `openssl` command in a
/// temporary folder: two unrelated CAs, A and B, and a server certificate from each for
/// `127.0.0.1`/`localhost`. Valid from the moment they are made for ten years, so nothing depends on
/// the date the tests run.
struct CurlTLSTestPKI: Sendable {
    let dir: String
    /// The CA the tests' `caFile` names.
    var caA: String { dir + "/ca-a.pem" }
    /// A CA the tests' `caFile` does not name.
    var caB: String { dir + "/ca-b.pem" }
    /// Server certificate and key signed by A, or by B.
    func server(signedBy ca: String) -> (cert: String, key: String) {
        ca == caA ? (dir + "/server-a.pem", dir + "/server-a.key") : (dir + "/server-b.pem", dir + "/server-b.key")
    }

    static let shared: Result<CurlTLSTestPKI, any Error> = Result { try make() }

    private static func make() throws -> CurlTLSTestPKI {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-tls-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CurlTLSTestError.setup("mkdtemp failed") }
        let dir = String(cString: made)
        // Removed when the test process exits (the certificates serve every test until then).
        atexit {
            if case .success(let pki) = CurlTLSTestPKI.shared { try? FileManager.default.removeItem(atPath: pki.dir) }
        }
        try "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
            .write(toFile: dir + "/server.ext", atomically: true, encoding: .utf8)
        for name in ["a", "b"] {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=Salur test CA \(name.uppercased())",
                         "-keyout", "ca-\(name).key", "-out", "ca-\(name).pem"], in: dir)
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                         "-keyout", "server-\(name).key", "-out", "server-\(name).csr"], in: dir)
            try openssl(["x509", "-req", "-in", "server-\(name).csr", "-CA", "ca-\(name).pem", "-CAkey", "ca-\(name).key",
                         "-CAcreateserial", "-days", "3650", "-extfile", "server.ext", "-out", "server-\(name).pem"], in: dir)
        }
        return CurlTLSTestPKI(dir: dir)
    }

    private static func openssl(_ arguments: [String], in dir: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CurlTLSTestError.setup("openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}

/// A TLS server on 127.0.0.1 for the libcurl TLS tests: `openssl s_server -www` on a port the kernel
/// picks, so the TLS versions and suites it offers can be limited (`-tls1_2`, `-cipher`), which an
/// in-process server on Foundation alone cannot do. A `GET /` gets a 200 page that names the
/// negotiated protocol and suite ("New, TLSv1.2, Cipher is …").
final class CurlTLSTestServer {
    let port: Int
    private let process: Process
    private let log: String

    /// Starts the server with `cert`/`key` and any extra `s_server` options; returns once it listens.
    init(cert: String, key: String, options: [String] = []) async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let log = pki.dir + "/s_server-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key, "-www"] + options
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        func written() -> String {
            String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
        }
        func listening() -> Int? {
            guard let line = written().split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }) else { return nil }
            return line.split(separator: ":").last.flatMap { Int($0) }
        }
        guard await curlEventually({ listening() != nil || !process.isRunning }), let port = listening() else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw CurlTLSTestError.setup("openssl s_server did not start: \(written())")
        }
        self.port = port
        self.process = process
        self.log = log
    }

    /// `https://127.0.0.1:<port>/`.
    var url: String { "https://127.0.0.1:\(port)/" }

    /// Stops the server and waits for it to exit. SIGKILL: the child inherits the test thread's signal
    /// mask, in which SIGTERM may be blocked, so `terminate()` alone could leave it running.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: log)
    }
}

/// The TLS test fixtures could not be set up.
enum CurlTLSTestError: Error, CustomStringConvertible {
    case setup(String)
    var description: String {
        switch self { case .setup(let reason): "TLS test set-up failed: \(reason)" }
    }
}
