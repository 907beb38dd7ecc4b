/// Why the simulator could not be configured or started.
public enum BankSimulatorError: Error, Equatable, CustomStringConvertible {
    /// A setting has a value the simulator cannot use.
    case invalidSetting(name: String, reason: String)
    /// The host is not a loopback address and `allowNonLoopback` is off.
    case nonLoopbackHost(String)
    /// A file named by a flag could not be read.
    case unreadableFile(path: String, reason: String)
    /// The client's public key is not an RSA public key in PEM form.
    case invalidPublicKey(reason: String)
    /// A row of the accounts CSV is wrong.
    case badAccountsRow(file: String, line: Int, reason: String)
    /// The listening socket could not be opened.
    case cannotListen(host: String, port: Int, reason: String)

    /// What went wrong and what to do, for the operator.
    public var description: String {
        switch self {
        case .invalidSetting(let name, let reason):
            "\(name): \(reason)"
        case .nonLoopbackHost(let host):
            "--host \(host) is not a loopback address: the simulator listens on 127.0.0.1 or ::1 only; "
                + "pass --allow-non-loopback if you really mean to expose it"
        case .unreadableFile(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .invalidPublicKey(let reason):
            "--public-key: not an RSA public key in PEM form (2048 bits or more): \(reason)"
        case .badAccountsRow(let file, let line, let reason):
            "\(file):\(line): \(reason)"
        case .cannotListen(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason); choose another --port, or 0 for any free one"
        }
    }
}
