#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a test request failed below HTTP.
struct TestHTTPError: Error, CustomStringConvertible {
    let description: String
}

/// A minimal blocking HTTP/1.1 client over one POSIX TCP socket to 127.0.0.1, kept alive across
/// requests. Each read times out after `timeoutSeconds`, so a broken server fails a test instead
/// of hanging it.
final class TestHTTPConnection {
    private var socketFD: Int32
    private var buffer: [UInt8] = []
    private(set) var isClosedByPeer = false
    /// The `1xx` statuses received so far.
    private(set) var interimStatuses: [Int] = []

    init(port: Int, timeoutSeconds: Int = 20) throws {
        #if canImport(Glibc) || canImport(Musl)
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socketFD = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socketFD >= 0 else { throw TestHTTPError(description: "socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socketFD)
            throw TestHTTPError(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit { close(socketFD) }

    /// Sends one request and reads its answer; `nil` when the server closed the connection
    /// without answering.
    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> TestHTTPResponse? {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(Array(head.utf8) + body)
        return try readResponse()
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                send(socketFD, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw TestHTTPError(description: "send failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads more bytes into the buffer; `false` at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        if count == 0 {
            isClosedByPeer = true
            return false
        }
        guard count > 0 else {
            if errno == ECONNRESET {
                isClosedByPeer = true
                return false
            }
            throw TestHTTPError(description: "recv failed: errno \(errno) (timed out?)")
        }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads the final answer, skipping interim `1xx` ones.
    private func readResponse() throws -> TestHTTPResponse? {
        while true {
            guard let response = try readOneResponse() else { return nil }
            if !(100..<200).contains(response.status) { return response }
            interimStatuses.append(response.status)
        }
    }

    private func readOneResponse() throws -> TestHTTPResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find(separator, in: buffer)
            if headEnd == nil {
                guard try fill() else {
                    if buffer.isEmpty { return nil }
                    throw TestHTTPError(description: "connection closed inside the response head")
                }
            }
        }
        let headText = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        // "\r\n" is one Character (a grapheme cluster), so this splits the head into lines.
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw TestHTTPError(description: "bad status line in \(headText)")
        }
        let headers = lines.map { line -> (name: String, value: String) in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            let value = line[colon...].dropFirst().drop { $0 == " " }
            return (String(line[..<colon]), String(value))
        }
        if (100..<200).contains(status) { return TestHTTPResponse(status: status, headers: headers, body: []) }
        let lengthText = headers.first { $0.name.lowercased() == "content-length" }?.value
        guard let lengthText, let length = Int(lengthText) else {
            throw TestHTTPError(description: "the simulator always sends Content-Length; got \(headers)")
        }
        while buffer.count < length {
            guard try fill() else { throw TestHTTPError(description: "connection closed inside the body") }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return TestHTTPResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server has closed its side (checked without blocking for long).
    func serverClosed() throws -> Bool {
        if isClosedByPeer { return true }
        return try !fill()
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
