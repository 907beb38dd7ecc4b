import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a URL's TLS peer must be verified: always, unless the host is loopback and no
/// CA file names whom to trust.
package enum TLSPeerVerification {
    /// Whether `url` needs certificate and host-name verification when the client trusts `caFile`.
    /// A CA file is the operator naming the bank's issuer, so it is checked whatever the host, loopback
    /// included (a TLS-terminating relay on this machine, a test bank); without one, as `isRequired(forURL:)`.
    package static func isRequired(forURL url: String, caFile: String?) -> Bool {
        caFile != nil || isRequired(forURL: url)
    }

    /// Whether `url` needs certificate and host-name verification. False only when the host is
    /// loopback (127.0.0.0/8, `[::1]`, `localhost`), where nothing off this machine sits on the path;
    /// true for every other host and for anything that does not parse.
    package static func isRequired(forURL url: String) -> Bool {
        guard let host = host(of: url) else { return true }
        return !isLoopback(host: host)
    }

    /// Whether `host` (as it appears in a URL: IPv6 in brackets or not) names this machine's loopback.
    /// Only the canonical forms count; anything unusual (IPv4-mapped IPv6, zone ids, `localhost.`)
    /// is treated as remote, so verification stays on.
    package static func isLoopback(host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" { return true }
        var v6Text = Substring(host)
        if v6Text.hasPrefix("["), v6Text.hasSuffix("]") {
            v6Text = v6Text.dropFirst().dropLast()
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, String(v6Text), &v6) == 1 {
            let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
            return withUnsafeBytes(of: &v6) { Array($0) } == loopback
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        return false
    }

    /// The host as libcurl itself parses the URL (same flags as `CURLOPT_URL`), so this decision and
    /// the connection curl makes cannot disagree about which host it is.
    private static func host(of url: String) -> String? {
        guard CurlGlobal.initCode == CURLE_OK.rawValue, let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_GUESS_SCHEME) | UInt32(CURLU_NON_SUPPORT_SCHEME)
        guard curl_url_set(handle, CURLUPART_URL, url, flags) == CURLUE_OK else { return nil }
        var part: UnsafeMutablePointer<CChar>? = nil
        guard curl_url_get(handle, CURLUPART_HOST, &part, 0) == CURLUE_OK, let part else { return nil }
        defer { curl_free(part) }
        return String(cString: part)
    }
}
