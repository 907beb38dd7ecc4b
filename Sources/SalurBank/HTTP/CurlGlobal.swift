import CCurl

/// libcurl's process-wide set-up.
enum CurlGlobal {
    /// The result of `curl_global_init(CURL_GLOBAL_ALL)`, run once per process (a lazy static is a
    /// `swift_once`) before any other libcurl call of this module.
    static let initCode: UInt32 = curl_global_init(Int(CURL_GLOBAL_ALL)).rawValue
}
