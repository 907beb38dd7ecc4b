/// How a request reaches the bank: which TLS versions and suites, whom to trust, through which
/// proxy. Decided here from the URL and the client's options, as plain values, so the rule can be
/// read (and tested) in one place; `CurlTransfer` only hands them to libcurl.
///
/// The SNAP standard (ASPI, "Keamanan", secured channel communication) asks for TLS 1.3, and allows
/// TLS 1.2 only with four suites: TLS_(EC)DHE_RSA_WITH_AES_128_GCM_SHA256 and
/// TLS_(EC)DHE_RSA_WITH_AES_256_GCM_SHA384 (and only until 30 June 2026).
package struct CurlConnectionSettings: Sendable, Equatable {
    /// The lowest TLS version libcurl may negotiate.
    package enum MinimumTLS: Sendable, Equatable {
        case tls13
        case tls12
    }

    /// The SNAP standard's TLS 1.2 suites, in OpenSSL's names (CURLOPT_SSL_CIPHER_LIST). TLS 1.3
    /// suites are not affected by this list; all of TLS 1.3's are acceptable.
    package static let snapTLS12Ciphers = [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "DHE-RSA-AES128-GCM-SHA256",
        "DHE-RSA-AES256-GCM-SHA384",
    ].joined(separator: ":")

    /// Certificate chain and host name checked (CURLOPT_SSL_VERIFYPEER/VERIFYHOST).
    package var verifyPeer: Bool
    /// CURLOPT_SSLVERSION's minimum.
    package var minimumTLS: MinimumTLS
    /// CURLOPT_SSL_CIPHER_LIST: the suites allowed below TLS 1.3.
    package var cipherList: String
    /// CURLOPT_CAINFO: the only CA bundle trusted; nil for libcurl's built-in (the system's).
    package var caFile: String?
    /// Whether CURLOPT_CAPATH is cleared, so the system's CA folder (Debian's /etc/ssl/certs, built
    /// into libcurl) is not consulted beside `caFile`: a CA file replaces the store, never adds to it.
    package var clearsCAPath: Bool
    /// CURLOPT_PROXY: "" for none, and libcurl then reads no proxy variable from the environment.
    package var proxy: String
    /// CURLOPT_NOPROXY when a proxy is set: "" so that `no_proxy` in the environment cannot route
    /// some hosts around it. Nil when there is no proxy.
    package var noProxy: String?

    /// The settings for a request to `url` by a client with `options`.
    package init(url: String, options: CurlClient.Options) {
        verifyPeer = TLSPeerVerification.isRequired(forURL: url, caFile: options.caFile)
        minimumTLS = options.allowTLS12 ? .tls12 : .tls13
        cipherList = Self.snapTLS12Ciphers
        caFile = options.caFile
        clearsCAPath = options.caFile != nil
        proxy = options.proxy ?? ""
        noProxy = options.proxy == nil ? nil : ""
    }
}
