internal import Foundation
#if canImport(FoundationXML)
internal import FoundationXML
#endif

/// A camt.053 document read into memory: element names (namespace prefixes removed), attributes,
/// trimmed text and the line of each start tag, so that errors can name a path and a line.
struct XMLTree {
    struct Node {
        let name: String
        let namespace: String?
        let attributes: [String: String]
        var text: String
        /// Line on which the start tag ends (libxml2 reports that line).
        let line: Int
        var children: [Int] = []
    }

    /// Why the bytes are not a well-formed document.
    struct Failure: Error {
        let line: Int
        /// Element names open when the parser stopped, outermost first.
        let openElements: [String]
        let reason: String
    }

    private(set) var nodes: [Node] = []
    var root: Node? { nodes.first }

    /// Parses `bytes`; a DOCTYPE is refused (camt.053 has none, and entity expansion is a hazard),
    /// and so is UTF-16 or UTF-32, where that check could not see one.
    init(bytes: [UInt8]) throws(Failure) {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.prefix(4).contains(0) {
            throw Failure(line: 1, openElements: [], reason: "the document is not UTF-8 (or an ASCII-compatible encoding); banks send camt.053 in UTF-8")
        }
        if let offset = Self.firstOffset(of: "<!DOCTYPE", in: bytes) ?? Self.firstOffset(of: "<!ENTITY", in: bytes) {
            let line = 1 + bytes[..<offset].count(where: { $0 == 0x0A })
            throw Failure(line: line, openElements: [], reason: "a DOCTYPE or ENTITY declaration is not allowed in a camt.053 document")
        }
        // Fed as a stream: given one Data, FoundationXML hands libxml2 a single chunk, which it
        // refuses past 10 MB ("huge input lookup") — a camt.053 for a large payout is bigger.
        let parser = XMLParser(stream: InputStream(data: Data(bytes)))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        _ = parser.parse()
        if let failure = builder.failure { throw failure }
        if let error = parser.parserError {
            throw Failure(line: parser.lineNumber, openElements: builder.openNames,
                          reason: "malformed XML: \(Self.describe(error))")
        }
        // libxml2 reports no error for a document cut off inside an element.
        if let open = builder.stack.last {
            throw Failure(line: max(1, parser.lineNumber), openElements: builder.openNames,
                          reason: "malformed XML: the document ends before </\(builder.nodes[open].name)>; the file may be cut short")
        }
        guard !builder.nodes.isEmpty else {
            throw Failure(line: max(1, parser.lineNumber), openElements: [], reason: "no XML element found")
        }
        nodes = builder.nodes
    }

    func node(_ index: Int) -> Node { nodes[index] }

    private static func firstOffset(of needle: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return start }
        }
        return nil
    }

    /// A reason for libxml2's error number (FoundationXML passes libxml2's numbers through).
    static func describe(_ error: any Error) -> String {
        let code = (error as NSError).code
        let what: String = switch code {
        case 3, 4: "the document is empty or does not start with an element"
        case 5: "the document is cut short, or has text after the root element"
        case 6, 7, 8, 9: "a character that XML does not allow"
        case 22, 23, 24, 25, 26, 27, 28, 29, 30: "an unknown or malformed entity (a literal & must be written &amp;)"
        case 31, 32: "an unsupported encoding (use UTF-8)"
        case 33, 34, 43, 44: "an unclosed quoted value"
        case 35: "a malformed namespace declaration"
        case 38: "a < inside an attribute value"
        case 39, 40, 41, 42: "a malformed attribute"
        case 45: "an unclosed comment"
        case 68, 72, 73, 74: "a malformed tag"
        case 76: "an end tag does not match its start tag"
        case 77: "the document ends inside a tag"
        default: "XML parser error"
        }
        return "\(what) (libxml2 error \(code))"
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var nodes: [Node] = []
        var stack: [Int] = []
        var failure: Failure?

        var openNames: [String] { stack.map { nodes[$0].name } }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            guard failure == nil else { return }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            nodes.append(Node(name: local, namespace: namespaceURI, attributes: attributes, text: "", line: parser.lineNumber))
            let index = nodes.count - 1
            if let parent = stack.last { nodes[parent].children.append(index) }
            stack.append(index)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard failure == nil, let index = stack.popLast() else { return }
            nodes[index].text = XMLTree.trimmed(nodes[index].text)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard failure == nil, let index = stack.last else { return }
            nodes[index].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard failure == nil, let index = stack.last else { return }
            nodes[index].text += String(decoding: block, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) {
            guard failure == nil else { return }
            failure = Failure(line: parser.lineNumber, openElements: openNames,
                              reason: "malformed XML: \(XMLTree.describe(error))")
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, validationErrorOccurred error: any Error) {
            self.parser(parser, parseErrorOccurred: error)
        }
    }

    /// XML whitespace (space, tab, CR, LF) removed from both ends.
    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(Substring(scalars))
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }
}
