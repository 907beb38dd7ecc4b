internal import Foundation
#if canImport(FoundationXML)
internal import FoundationXML
#endif

/// Elements of a camt.053 document held in memory: element names (namespace prefixes removed),
/// attributes, trimmed text and the line of each start tag, so that errors can name a path and a
/// line. The reader (`XMLReading`) keeps one such tree per statement and one per entry, each only
/// while it is read.
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

    func node(_ index: Int) -> Node { nodes[index] }

    /// Adds an element under `parent` (nil: the tree's first node); its index.
    mutating func add(_ node: Node, under parent: Int?) -> Int {
        nodes.append(node)
        let index = nodes.count - 1
        if let parent { nodes[parent].children.append(index) }
        return index
    }

    mutating func appendText(_ text: String, to index: Int) {
        nodes[index].text += text
    }

    /// The element's end: its text is trimmed.
    mutating func close(_ index: Int) {
        nodes[index].text = XMLTree.trimmed(nodes[index].text)
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

/// What is told of a document's elements as the XML parser reads them, in document order.
protocol XMLElementHandler: AnyObject {
    /// A start tag, `name` without its namespace prefix, on `line`.
    func start(name: String, namespace: String?, attributes: [String: String], line: Int)
    /// Text (or CDATA) inside the element last started and not yet ended.
    func characters(_ text: String)
    /// The end of the element last started and not yet ended.
    func end()
}

/// Reads a document through FoundationXML's SAX parser, a chunk at a time, telling `handler` of
/// each element: nothing of the document is held here but the names of the elements open.
///
/// A DOCTYPE or ENTITY declaration is refused (camt.053 has none, and entity expansion is a
/// hazard), and so is UTF-16 or UTF-32, where that check could not see one: `XMLSource` checks
/// the bytes before the parser is given them, and reads the rest of the file for such a
/// declaration when the parser stopped early, so that the refusal is the same wherever it is.
/// The first of: that refusal, a malformed document (the line and the elements open), a document
/// cut off inside an element, a document without elements.
enum XMLReading {
    static func read(_ source: XMLSource, into handler: any XMLElementHandler) throws(XMLTree.Failure) {
        // Fed as a stream, a chunk at a time: given one Data, FoundationXML hands libxml2 a single
        // chunk, which it refuses past 10 MB ("huge input lookup").
        let parser = XMLParser(stream: source)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = Builder(handler)
        parser.delegate = builder
        _ = parser.parse()
        source.scanRest()
        if let refusal = source.refusal { throw refusal }
        if let failure = builder.failure { throw failure }
        if let error = parser.parserError {
            throw XMLTree.Failure(line: parser.lineNumber, openElements: builder.openNames,
                                  reason: "malformed XML: \(XMLTree.describe(error))")
        }
        // libxml2 reports no error for a document cut off inside an element.
        if let open = builder.openNames.last {
            throw XMLTree.Failure(line: max(1, parser.lineNumber), openElements: builder.openNames,
                                  reason: "malformed XML: the document ends before </\(open)>; the file may be cut short")
        }
        guard builder.sawElement else {
            throw XMLTree.Failure(line: max(1, parser.lineNumber), openElements: [], reason: "no XML element found")
        }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        let handler: any XMLElementHandler
        var openNames: [String] = []
        var sawElement = false
        var failure: XMLTree.Failure?

        init(_ handler: any XMLElementHandler) {
            self.handler = handler
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            guard failure == nil else { return }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            sawElement = true
            openNames.append(local)
            handler.start(name: local, namespace: namespaceURI, attributes: attributes, line: parser.lineNumber)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard failure == nil, openNames.popLast() != nil else { return }
            handler.end()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard failure == nil, !openNames.isEmpty else { return }
            handler.characters(string)
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard failure == nil, !openNames.isEmpty else { return }
            handler.characters(String(decoding: block, as: UTF8.self))
        }

        func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) {
            guard failure == nil else { return }
            failure = XMLTree.Failure(line: parser.lineNumber, openElements: openNames,
                                      reason: "malformed XML: \(XMLTree.describe(error))")
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, validationErrorOccurred error: any Error) {
            self.parser(parser, parseErrorOccurred: error)
        }
    }
}
