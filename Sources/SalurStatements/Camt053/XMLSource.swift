internal import Glibc
internal import SalurCore

/// The bytes of a camt.053 document as the XML parser reads them, from a file a chunk at a time
/// (never the whole of it) or from memory, checked before the parser is given them.
///
/// Refused, as no camt.053 has them: a document that is not UTF-8 (a UTF-16 byte-order mark, or
/// a NUL in its first four bytes), and any `<!DOCTYPE` or `<!ENTITY` in it, wherever it stands
/// (in a comment too). Each chunk is looked at before it is handed on, together with the last
/// bytes of the one before, so a declaration split between two chunks is seen; once one is seen
/// the parser gets no more bytes. The refusal names the line of the first `<!DOCTYPE`, else of
/// the first `<!ENTITY`; `scanRest` reads on to the end to find it when the parser stopped first.
final class XMLSource {
    /// How many bytes are read at a time from a file.
    static let defaultChunkSize = 1 << 20

    private enum Origin {
        case file(Int32)
        case memory([UInt8])
    }

    private let origin: Origin
    private let chunkSize: Int
    /// The path read, named in a read failure.
    private let path: String
    /// Why the file could not be read, when it could not.
    private(set) var readFailure: InputFile.Failure?

    private var memoryOffset = 0
    private var atEnd = false
    private var started = false
    private var notUTF8 = false
    /// Line feeds in the bytes before the chunk being looked at.
    private var lineFeeds = 0
    /// The last bytes of the chunk before: the start of a declaration split between chunks.
    private var carry: [UInt8] = []
    private var firstDoctype: Int?
    private var firstEntity: Int?

    private static let doctype = Array("<!DOCTYPE".utf8)
    private static let entity = Array("<!ENTITY".utf8)

    /// Reads the file at `path`; throws naming it if it cannot be opened.
    init(path: String, chunkSize: Int = XMLSource.defaultChunkSize) throws(InputFile.Failure) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputFile.Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        origin = .file(fd)
        self.chunkSize = max(1, chunkSize)
        self.path = path
    }

    /// Reads `bytes`, handing them on `chunkSize` at a time as a file's.
    init(bytes: [UInt8], chunkSize: Int = XMLSource.defaultChunkSize) {
        origin = .memory(bytes)
        self.chunkSize = max(1, chunkSize)
        path = ""
    }

    deinit {
        if case .file(let fd) = origin { Glibc.close(fd) }
    }

    /// Why the document is refused before it is parsed, if it is.
    var refusal: XMLTree.Failure? {
        if notUTF8 {
            return XMLTree.Failure(line: 1, openElements: [],
                                   reason: "the document is not UTF-8 (or an ASCII-compatible encoding); banks send camt.053 in UTF-8")
        }
        if let line = firstDoctype ?? firstEntity {
            return XMLTree.Failure(line: line, openElements: [],
                                   reason: "a DOCTYPE or ENTITY declaration is not allowed in a camt.053 document")
        }
        return nil
    }

    /// Whether the parser may be given no more bytes.
    private var stopped: Bool { notUTF8 || firstDoctype != nil || firstEntity != nil || readFailure != nil }

    // MARK: The parser's bytes

    /// The next bytes for the parser, looked at first: nil at the end, and once the document is
    /// refused or unreadable.
    func next() -> [UInt8]? {
        guard !stopped, let chunk = nextChunk() else { return nil }
        look(at: chunk)
        return stopped ? nil : chunk
    }

    /// Reads the bytes the parser did not take (it stopped at a malformed element, or at a
    /// declaration), only to look for the first `<!DOCTYPE` the refusal names.
    func scanRest() {
        guard !notUTF8, readFailure == nil else { return }
        while firstDoctype == nil, let chunk = nextChunk() { look(at: chunk) }
    }

    // MARK: Chunks

    /// The next chunk (the first one at least four bytes, when the document has them), or nil at the end.
    private func nextChunk() -> [UInt8]? {
        guard !atEnd, readFailure == nil else { return nil }
        var chunk = fetch(chunkSize)
        while !started, chunk.count < 4, !atEnd, readFailure == nil { chunk += fetch(4 - chunk.count) }
        if readFailure != nil { return nil }
        return chunk.isEmpty ? nil : chunk
    }

    /// Up to `count` bytes (fewer only at the end of the input).
    private func fetch(_ count: Int) -> [UInt8] {
        switch origin {
        case .memory(let bytes):
            let end = min(bytes.count, memoryOffset + count)
            let chunk = Array(bytes[memoryOffset..<end])
            memoryOffset = end
            if end == bytes.count { atEnd = true }
            return chunk
        case .file(let fd):
            var chunk = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) }
                if n < 0 {
                    if errno == EINTR { continue }
                    readFailure = InputFile.Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
                    return []
                }
                if n == 0 { atEnd = true; break }
                filled += n
            }
            if filled < count { chunk.removeLast(count - filled) }
            return chunk
        }
    }

    /// Looks at the next chunk of the document for what is refused.
    private func look(at chunk: [UInt8]) {
        if !started {
            started = true
            if chunk.starts(with: [0xFE, 0xFF]) || chunk.starts(with: [0xFF, 0xFE]) || chunk.prefix(4).contains(0) {
                notUTF8 = true
                return
            }
        }
        let region = carry + chunk
        region.withUnsafeBufferPointer { bytes in
            if firstDoctype == nil, let at = Self.find(Self.doctype, in: bytes) { firstDoctype = line(at: at, in: bytes) }
            if firstEntity == nil, let at = Self.find(Self.entity, in: bytes) { firstEntity = line(at: at, in: bytes) }
        }
        chunk.withUnsafeBytes { lineFeeds += InputFile.lineEnds(in: $0) }
        carry = Array(region.suffix(Self.doctype.count - 1))
    }

    /// Where `needle` (`<!` and a word) first stands in `bytes`. Found by its `!`, which a camt.053
    /// document seldom has, rather than by each of its many `<`.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var from = 1
        while from < bytes.count, let found = memchr(base + from, Int32(UInt8(ascii: "!")), bytes.count - from) {
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) - 1
            if bytes[at...].starts(with: needle) { return at }
            from = at + 2
        }
        return nil
    }

    /// The line of `region[at]`, where `region` is the carry and then the chunk being looked at.
    private func line(at index: Int, in region: UnsafeBufferPointer<UInt8>) -> Int {
        let carried = region[..<carry.count].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let before = region[..<index].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return 1 + lineFeeds - carried + before
    }
}
