import NIOCore

/// The bodies of the faults that answer 200 with something a client must not trust.
enum FaultyBodies {
    /// A JSON answer cut off mid-string.
    static func garbage(service: SNAPService) -> ByteBuffer {
        ByteBuffer(string: "{\"responseCode\":\"200\(service.code)00\",\"responseMessage\":\"Succ")
    }

    /// An HTML error page, as a proxy in front of a bank serves one.
    static let html = ByteBuffer(string: """
        <!DOCTYPE html><html><head><title>Service Unavailable</title></head>\
        <body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>
        """)

    /// Size of `huge`: 10 MiB.
    static let hugeSize = 10 * 1024 * 1024

    /// A syntactically valid JSON answer of exactly `hugeSize` bytes, built once and shared.
    static let huge: ByteBuffer = {
        let head = "{\"responseMessage\":\"Successful\",\"padding\":\""
        let tail = "\"}"
        var buffer = ByteBuffer()
        buffer.reserveCapacity(hugeSize)
        buffer.writeString(head)
        buffer.writeRepeatingByte(UInt8(ascii: "A"), count: hugeSize - head.utf8.count - tail.utf8.count)
        buffer.writeString(tail)
        return buffer
    }()
}
