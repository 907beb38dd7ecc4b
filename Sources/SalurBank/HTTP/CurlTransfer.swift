import CCurl

/// One request on its way through libcurl: the easy handle, the body being uploaded and the response
/// being collected. Created, driven and dropped on the curl thread only; libcurl's callbacks reach it
/// through an unretained pointer, which `CurlMultiLoop.inFlight` keeps alive while the handle is in the multi.
final class CurlTransfer {
    let easy: UnsafeMutableRawPointer
    let continuation: CurlSendContinuation

    private let body: [UInt8]
    private var bodyOffset = 0
    private let maxResponseBytes: Int
    private var responseBody: [UInt8] = []
    private var responseHeaders: [String: String] = [:]
    private var bodyOverLimit = false
    /// How many times curl was about to send the request (CURLOPT_PREREQFUNCTION); above 0, bytes may have left.
    private var sendAttempts = 0
    /// The request's `sendBy`: the pre-request callback aborts the transfer once it has passed.
    private let sendBy: ContinuousClock.Instant?
    /// The pre-request callback found `sendBy` passed before any earlier send attempt and aborted:
    /// no byte of the request was written.
    private var fencedBeforeSending = false
    private var headerList: UnsafeMutablePointer<curl_slist>? = nil
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Makes the easy handle for `send`; throws `.notSent` when the request is invalid or curl refuses an option.
    init(_ send: CurlPendingSend, options: CurlClient.Options) throws(HTTPClientError) {
        guard let easy = curl_easy_init() else {
            throw .notSent(reason: "curl_easy_init failed (out of memory?)")
        }
        self.easy = easy
        self.continuation = send.continuation
        self.body = send.request.body
        self.maxResponseBytes = options.maxResponseBytes
        self.sendBy = send.request.sendBy
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(send.request, options: options)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// New connections this transfer opened (CURLINFO_NUM_CONNECTS).
    var connectionsOpened: Int {
        var count = 0
        _ = ccurl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// What the caller gets once curl reports the transfer done with `code`.
    func result(for code: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        if code == CURLE_OK {
            var status = 0
            _ = ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody))
        }
        if bodyOverLimit {
            return .failure(.responseTooLarge(limit: maxResponseBytes))
        }
        if fencedBeforeSending, code == CURLE_ABORTED_BY_CALLBACK {
            return .failure(.sendDeadlinePassed("before its first byte was written (connection made, request withheld)"))
        }
        return .failure(.fromCurl(curlCode: Int(code.rawValue), requestMayHaveLeft: requestMayHaveLeft, message: message(for: code)))
    }

    /// What the caller gets when the client shuts down before curl finished the transfer.
    func resultAtShutdown() -> Result<HTTPResponse, HTTPClientError> {
        if requestMayHaveLeft {
            return .failure(.outcomeUnknown(reason: "the HTTP client was shut down while the request was in flight"))
        }
        return .failure(.notSent(reason: "the HTTP client was shut down before the request was sent"))
    }

    /// False only while curl has provably not begun to send: no send attempt, no pre-transfer time,
    /// no request bytes counted.
    private var requestMayHaveLeft: Bool {
        var pretransfer: curl_off_t = 0
        var requestBytes = 0
        _ = ccurl_getinfo_off(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        _ = ccurl_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestBytes)
        return sendAttempts > 0 || pretransfer > 0 || requestBytes > 0
    }

    private func message(for code: CURLcode) -> String {
        let summary = String(cString: curl_easy_strerror(code))
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? "\(summary) (curl \(code.rawValue))" : "\(summary) (curl \(code.rawValue)): \(detail)"
    }

    // MARK: - Options

    private func configure(_ request: HTTPRequest, options: CurlClient.Options) throws(HTTPClientError) {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw .notSent(reason: "invalid HTTP method \"\(method)\"")
        }
        let hasBody = !request.body.isEmpty
        if method == "HEAD", hasBody {
            throw .notSent(reason: "a HEAD request cannot carry a body")
        }
        var lines: [String] = []
        var hasContentType = false
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw .notSent(reason: "invalid header name \"\(name)\"")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .notSent(reason: "header \(name) has a line break or NUL in its value")
            }
            switch name.lowercased() {
            case "content-length", "transfer-encoding", "expect":
                throw .notSent(reason: "header \(name) is set by the HTTP client, not by the caller")
            case "content-type":
                hasContentType = true
            default:
                break
            }
            // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }

        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        // HTTP/1.1 only: one request per connection at a time, so maxInFlight bounds connections and
        // the keep-alive/rewind reasoning below holds as written.
        try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try set(CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMs)
        try set(CURLOPT_TIMEOUT_MS, options.requestTimeoutMs)
        try set(CURLOPT_USERAGENT, options.userAgent)
        try set(CURLOPT_ERRORBUFFER, UnsafeRawPointer(errorBuffer))

        try apply(CurlConnectionSettings(url: request.url, options: options))
        if let certFile = options.clientCertFile { try set(CURLOPT_SSLCERT, certFile) }
        if let keyFile = options.clientKeyFile { try set(CURLOPT_SSLKEY, keyFile) }

        try check(ccurl_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            CurlTransfer.from(context).receiveBody(data, size * count)
        }, CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_WRITEDATA, UnsafeRawPointer(context))
        try check(ccurl_setopt_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            CurlTransfer.from(context).receiveHeaderLine(data, size * count)
        }, CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, UnsafeRawPointer(context))
        try check(ccurl_setopt_prereq(easy, CURLOPT_PREREQFUNCTION) { context, _, _, _, _ in
            CurlTransfer.from(context).beforeSending()
        }, CURLOPT_PREREQFUNCTION)
        try set(CURLOPT_PREREQDATA, UnsafeRawPointer(context))

        switch method {
        case "GET" where !hasBody:
            // No body to rewind: after a dead reused connection curl re-sends a GET, which HTTP allows
            // for a safe method. Money requests are POSTs and take the path below.
            try set(CURLOPT_HTTPGET, 1)
        case "HEAD":
            try set(CURLOPT_NOBODY, 1)
        default:
            // The body goes through a read callback with its size set up front and, on purpose, NO
            // seek callback. On a reused keep-alive connection that dies after the request went out,
            // libcurl silently re-sends the request on a fresh connection; if the bank had already
            // acted on it, that would pay someone twice. Without a seek callback curl cannot rewind
            // the body, so it fails with CURLE_SEND_FAIL_REWIND instead, which maps to .outcomeUnknown.
            // (libcurl 7.88 opens the new connection before it finds it cannot rewind; nothing is sent on it.)
            try set(CURLOPT_POST, 1)
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, method) }
            try setSize(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            try check(ccurl_setopt_callback(easy, CURLOPT_READFUNCTION) { buffer, size, count, context in
                CurlTransfer.from(context).provideBody(buffer, size * count)
            }, CURLOPT_READFUNCTION)
            try set(CURLOPT_READDATA, UnsafeRawPointer(context))
            if !hasBody {
                // With no body byte to rewind, curl would re-send an empty request after a dead
                // reused connection; a fresh connection means there is nothing to re-send on.
                try set(CURLOPT_FRESH_CONNECT, 1)
            }
            if !hasContentType {
                lines.append("Content-Type:")   // drop curl's default x-www-form-urlencoded
            }
        }
        lines.append("Expect:")   // no 100-continue round trip
        for line in lines {
            guard let list = curl_slist_append(headerList, line) else {
                throw .notSent(reason: "curl_slist_append failed (out of memory?)")
            }
            headerList = list
        }
        try check(ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)
    }

    /// TLS versions, suites, trust and proxy, as `CurlConnectionSettings` decided them.
    private func apply(_ settings: CurlConnectionSettings) throws(HTTPClientError) {
        try set(CURLOPT_SSL_VERIFYPEER, settings.verifyPeer ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, settings.verifyPeer ? 2 : 0)
        let minimum = settings.minimumTLS == .tls13 ? CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2
        try set(CURLOPT_SSLVERSION, Int(minimum))
        try set(CURLOPT_SSL_CIPHER_LIST, settings.cipherList)
        if let caFile = settings.caFile { try set(CURLOPT_CAINFO, caFile) }
        if settings.clearsCAPath { try check(ccurl_setopt_ptr(easy, CURLOPT_CAPATH, nil), CURLOPT_CAPATH) }
        try set(CURLOPT_PROXY, settings.proxy)
        if let noProxy = settings.noProxy { try set(CURLOPT_NOPROXY, noProxy) }
    }

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(ccurl_setopt_long(easy, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(HTTPClientError) {
        try check(ccurl_setopt_string(easy, option, value), option)   // curl copies strings
    }

    private func set(_ option: CURLoption, _ value: UnsafeRawPointer) throws(HTTPClientError) {
        try check(ccurl_setopt_ptr(easy, option, value), option)
    }

    private func setSize(_ option: CURLoption, _ value: curl_off_t) throws(HTTPClientError) {
        try check(ccurl_setopt_off(easy, option, value), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw .notSent(reason: "curl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    // MARK: - Callbacks (curl thread, inside curl_multi_perform)

    private static func from(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    }

    /// CURLOPT_PREREQFUNCTION: the last moment before the request's first byte is written (after
    /// connecting and the TLS handshake). Fence at departure (DESIGN §4.8): past `sendBy` the transfer is
    /// aborted, so a process that was frozen with requests in flight sends none of them on waking. Only
    /// the first send attempt can be withheld as "not sent"; a later one (curl retrying on a fresh
    /// connection) is aborted too, but its outcome stays unknown.
    private func beforeSending() -> Int32 {
        if let sendBy, ContinuousClock.now >= sendBy {
            if sendAttempts == 0 { fencedBeforeSending = true }
            return Int32(CURL_PREREQFUNC_ABORT)
        }
        sendAttempts += 1
        return Int32(CURL_PREREQFUNC_OK)
    }

    /// Appends response body bytes; returning less than `count` makes curl abort with CURLE_WRITE_ERROR.
    private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return 0 }
        guard responseBody.count + count <= maxResponseBytes else {
            bodyOverLimit = true
            return 0
        }
        responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return count
    }

    /// Records one header line. A status line starts a new response (after a 1xx), so it clears what came before.
    private func receiveHeaderLine(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return count }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            responseHeaders = [:]
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingHTTPWhitespace()
            responseHeaders[name] = value
        }
        return count
    }

    /// Copies the next slice of the body into curl's buffer; 0 means the body is complete.
    private func provideBody(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int {
        guard let buffer else { return 0 }
        let count = min(capacity, body.count - bodyOffset)
        guard count > 0 else { return 0 }
        body.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + bodyOffset, byteCount: count)
        }
        bodyOffset += count
        return count
    }

    /// RFC 9110 token characters, for methods and header names.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces, tabs, CR and LF.
    fileprivate func trimmingHTTPWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...last])
    }
}
