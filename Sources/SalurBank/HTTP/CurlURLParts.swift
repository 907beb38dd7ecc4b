import CCurl

/// Where a URL leads, as libcurl itself parses it (the same flags as `CURLOPT_URL`): what a request
/// URL is checked against after it was joined, so no path can move it to another scheme, host or port.
package struct CurlURLParts: Sendable, Equatable {
    /// Lower case, e.g. `https`.
    package var scheme: String
    package var host: String
    /// The port, the scheme's default when the URL names none.
    package var port: String
    /// Whether the URL carries `user[:password]@`.
    package var hasUserInfo: Bool
    /// The path after dot-segment removal, e.g. `/snap/v1.0/transfer-intrabank`.
    package var path: String
    package var hasQuery: Bool
    package var hasFragment: Bool

    /// Nil when libcurl cannot parse `url`.
    package init?(url: String) {
        guard CurlGlobal.initCode == CURLE_OK.rawValue, let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_GUESS_SCHEME) | UInt32(CURLU_NON_SUPPORT_SCHEME)
        guard curl_url_set(handle, CURLUPART_URL, url, flags) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart, _ flags: UInt32 = 0) -> String? {
            var text: UnsafeMutablePointer<CChar>? = nil
            guard curl_url_get(handle, which, &text, flags) == CURLUE_OK, let text else { return nil }
            defer { curl_free(text) }
            return String(cString: text)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST),
              let port = part(CURLUPART_PORT, UInt32(CURLU_DEFAULT_PORT)) else { return nil }
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
        hasUserInfo = part(CURLUPART_USER) != nil || part(CURLUPART_PASSWORD) != nil
        path = part(CURLUPART_PATH) ?? "/"
        hasQuery = part(CURLUPART_QUERY) != nil
        hasFragment = part(CURLUPART_FRAGMENT) != nil
    }
}
