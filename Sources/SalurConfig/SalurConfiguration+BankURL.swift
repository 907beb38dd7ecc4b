import Foundation

/// The rules for the values a request URL is built from: `base_url` alone says where requests go;
/// `path_prefix` and `[bank.paths]` only say which path there. A value that could move a request
/// elsewhere (`@`, `?`, `#`, `\`, `%`, a line break, a `..` segment) is refused where it stands.
extension SalurConfiguration {
    /// Why `value` cannot be `bank.path_prefix` (or nil): empty, or `/segment[/segment…]` with no
    /// trailing `/`, since each service path starts with one.
    public static func pathPrefixProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if let problem = pathProblem(value) { return problem }
        if value.hasSuffix("/") {
            return "must not end with \"/\" (each service path starts with one), e.g. \"/snap\""
        }
        return nil
    }

    /// Why `value` cannot be a service path in `[bank.paths]` (or nil): `/` then segments of letters,
    /// digits, `-`, `.`, `_`, `~`, with no empty, `.` or `..` segment.
    public static func pathProblem(_ value: String) -> String? {
        guard !value.isEmpty else { return "must not be empty; a path starts with \"/\", e.g. \"/v1.0/transfer-intrabank\"" }
        if let bad = value.unicodeScalars.first(where: { !isPathScalar($0) }) {
            return "contains \(describe(bad)), which is not allowed in a bank path (it could change where the request goes); "
                + "use only letters, digits, \"-\", \".\", \"_\", \"~\" and \"/\""
        }
        guard value.hasPrefix("/") else { return "must start with \"/\", e.g. \"/\(value)\"" }
        if value.contains("//") { return "must not contain \"//\" (an empty path segment)" }
        let segments = value.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == "." || $0 == ".." }) {
            return "must not contain a \".\" or \"..\" segment"
        }
        return nil
    }

    /// Why `value` cannot be `bank.base_url` as a URL (or nil): scheme, host, optional port and path,
    /// nothing else. (Whether plain http is allowed is decided separately, by the host.)
    public static func baseURLProblem(_ value: String) -> String? {
        if let bad = value.unicodeScalars.first(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            return "contains \(describe(bad)); write the URL without spaces or line breaks"
        }
        guard let components = URLComponents(string: value), let host = components.host, !host.isEmpty else {
            return "is not a URL with a host, e.g. https://snap.bank.example"
        }
        if components.user != nil || components.password != nil || value.contains("@") {
            return "must not contain user info (\"@\"); the bank is named by its host alone"
        }
        if components.query != nil || value.contains("?") { return "must not contain a query (\"?\")" }
        if components.fragment != nil || value.contains("#") { return "must not contain a fragment (\"#\")" }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        if !path.isEmpty, let problem = pathProblem(path) { return "its path " + problem }
        return nil
    }

    /// Why `value` cannot be `bank.proxy` (or nil): exactly `http://host:port`.
    public static func proxyProblem(_ value: String) -> String? {
        let example = "write it as http://host:port, e.g. http://proxy.pemda.example:3128"
        if let bad = value.unicodeScalars.first(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            return "contains \(describe(bad)); \(example)"
        }
        guard let components = URLComponents(string: value), components.scheme?.lowercased() == "http" else {
            return "must be an http:// proxy (HTTPS to the bank is tunnelled through it and still verified); \(example)"
        }
        guard let host = components.host, !host.isEmpty else { return "has no host; \(example)" }
        if components.user != nil || components.password != nil || value.contains("@") {
            return "must not contain user info (\"@\"): no credential belongs in the config file; \(example)"
        }
        guard components.port != nil else { return "must name its port; \(example)" }
        if !(components.percentEncodedPath.isEmpty || components.percentEncodedPath == "/") || components.query != nil
            || components.fragment != nil {
            return "must have no path, query or fragment; \(example)"
        }
        return nil
    }

    private static func isPathScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "_", "~", "/": true
        default: false
        }
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\r": "a carriage return (CR)"
        case "\n": "a line feed (LF)"
        case " ": "a space"
        default:
            scalar.value < 0x20 || scalar.value == 0x7F || scalar.value > 0x7E
                ? "U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))"
                : "\"\(scalar)\""
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
