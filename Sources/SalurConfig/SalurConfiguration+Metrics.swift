extension SalurConfiguration {
    /// `[metrics]`: salurd's Prometheus endpoint, `GET /metrics`. Off unless `listen` is set.
    public struct Metrics: Sendable, Equatable {
        /// Where salurd serves the metrics; nil: not served.
        public var listen: Listen?

        public init(listen: Listen? = nil) { self.listen = listen }
    }

    /// Where the metrics endpoint listens: a loopback address (a scraper or agent on the same
    /// host, or a reverse proxy in front) or a Unix socket. Never a public interface: the metrics
    /// say how much money moves and when.
    public enum Listen: Sendable, Equatable, CustomStringConvertible {
        /// `127.0.0.1:9464`, `[::1]:9464` or `localhost:9464`; port 0 lets the system choose.
        case tcp(host: String, port: Int)
        /// An absolute path, created at start-up (a stale socket file is replaced).
        case unixSocket(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path): path
            }
        }

        /// Reads `listen`'s value, or says why it is refused.
        public static func parse(_ text: String) -> Result<Listen, ListenProblem> {
            if text.hasPrefix("/") {
                // sockaddr_un holds 107 bytes and a terminating zero.
                guard text.utf8.count <= 107 else { return .failure(ListenProblem("a Unix socket path must be at most 107 bytes")) }
                return .success(.unixSocket(path: text))
            }
            let host: Substring, port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                    return .failure(ListenProblem("\"\(text)\" is not HOST:PORT"))
                }
                host = text[text.index(after: text.startIndex)..<close]
                port = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else {
                    return .failure(ListenProblem("\"\(text)\" is not HOST:PORT or a Unix socket path, e.g. 127.0.0.1:9464 or /run/salur/metrics.sock"))
                }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            guard let number = Int(port), (0...65_535).contains(number), port.allSatisfy(\.isNumber) else {
                return .failure(ListenProblem("\"\(port)\" is not a port number (0…65535)"))
            }
            guard SalurConfiguration.isLoopbackURL("http://\(host.contains(":") ? "[\(host)]" : String(host))/") else {
                return .failure(ListenProblem("\"\(host)\" is not a loopback address; the metrics are served only on 127.0.0.1, ::1, "
                                              + "localhost or a Unix socket path (put a proxy in front to expose them)"))
            }
            return .success(.tcp(host: host == "localhost" ? "127.0.0.1" : String(host), port: number))
        }
    }

    /// Why a `listen` value is refused.
    public struct ListenProblem: Error, Sendable, Equatable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Reads `[metrics]` (absent: metrics off).
    static func readMetrics(_ root: ConfigReader) -> Metrics {
        let m = root.table("metrics")
        guard let text = m.string("listen") else { return Metrics() }
        switch Listen.parse(text) {
        case .success(let listen): return Metrics(listen: listen)
        case .failure(let problem):
            m.fail("listen", problem.reason)
            return Metrics()
        }
    }
}
