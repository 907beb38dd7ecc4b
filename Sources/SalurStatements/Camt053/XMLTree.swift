internal import CLibXML2

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
        /// The element this one is in; nil for the tree's first.
        var parent: Int? = nil
        /// Its first and last child element, and the element after it in its parent: the children
        /// are a list through the nodes, so that adding one allocates nothing.
        var firstChild: Int? = nil
        var lastChild: Int? = nil
        var nextSibling: Int? = nil

        init(name: String, namespace: String?, attributes: [String: String], text: String, line: Int) {
            self.name = name
            self.namespace = namespace
            self.attributes = attributes
            self.text = text
            self.line = line
        }
    }

    /// Why the bytes are not a well-formed document.
    struct Failure: Error {
        let line: Int
        /// Element names open when the parser stopped, outermost first.
        let openElements: [String]
        let reason: String
    }

    /// The child elements of one element, in document order.
    struct Children: Sequence, IteratorProtocol {
        fileprivate let nodes: [Node]
        fileprivate var following: Int?

        mutating func next() -> Int? {
            guard let index = following else { return nil }
            following = nodes[index].nextSibling
            return index
        }
    }

    private(set) var nodes: [Node] = []

    func name(_ index: Int) -> String { nodes[index].name }
    func namespace(_ index: Int) -> String? { nodes[index].namespace }
    func text(_ index: Int) -> String { nodes[index].text }
    func line(_ index: Int) -> Int { nodes[index].line }
    func children(_ index: Int) -> Children { Children(nodes: nodes, following: nodes[index].firstChild) }
    func parent(_ index: Int) -> Int? { nodes[index].parent }
    func attribute(_ name: String, of index: Int) -> String? { nodes[index].attributes[name] }

    /// Empties the tree for the next statement or entry, keeping its storage.
    mutating func reset() {
        nodes.removeAll(keepingCapacity: true)
    }

    /// Adds an element under `parent` (nil: the tree's first node); its index.
    mutating func add(_ node: Node, under parent: Int?) -> Int {
        let index = nodes.count
        nodes.append(node)
        if let parent {
            nodes[index].parent = parent
            if let last = nodes[parent].lastChild { nodes[last].nextSibling = index } else { nodes[parent].firstChild = index }
            nodes[parent].lastChild = index
        }
        return index
    }

    /// Text of the element at `index`, as UTF-8 bytes the parser read. Whitespace before any other
    /// text is not kept: `close` would trim it (between elements, it is all an element holds).
    mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>, to index: Int) {
        if nodes[index].text.isEmpty, bytes.allSatisfy(XMLTree.isSpace) { return }
        nodes[index].text += String(decoding: bytes, as: UTF8.self)
    }

    /// The element's end: its text is trimmed.
    mutating func close(_ index: Int) {
        nodes[index].text = XMLTree.trimmed(nodes[index].text)
    }

    /// A reason for libxml2's error number (`xmlParserErrors`).
    static func describe(code: Int) -> String {
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
        case 81, 1544, 6003: "bytes not valid in the declared encoding (use UTF-8)"
        default: "XML parser error"
        }
        return "\(what) (libxml2 error \(code))"
    }

    /// XML whitespace (space, tab, CR, LF) removed from both ends.
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last, isSpace(first) || isSpace(last) else { return text }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        // Cut by bytes: a character that joins what follows (U+0600) must not take a space with it.
        return String(Substring(bytes[start...end]))
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && isSpace(UInt8(scalar.value))
    }
}

/// What is told of a document's elements as the XML parser reads them, in document order.
protocol XMLElementHandler: AnyObject {
    /// A start tag, `name` without its namespace prefix, on `line`.
    func start(name: String, namespace: String?, attributes: [String: String], line: Int)
    /// Text (or CDATA) inside the element last started and not yet ended, as UTF-8 bytes valid
    /// until the call returns.
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
    /// The end of the element last started and not yet ended.
    func end()
}

/// Reads a document through libxml2's SAX2 push parser, a chunk at a time, telling `handler` of
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
        // The parser's user data: callbacks reach the reader through this pointer, not through a
        // class's stored properties (each access to those is checked at run time, tens of millions
        // of times for a national statement).
        let reader = UnsafeMutablePointer<SAXReader>.allocate(capacity: 1)
        reader.initialize(to: SAXReader(handler))
        defer {
            reader.pointee.freeContext()
            reader.deinitialize(count: 1)
            reader.deallocate()
        }
        SAXReader.parse(source, with: reader)
        source.scanRest()
        if let refusal = source.refusal { throw refusal }
        if let failure = reader.pointee.failure { throw failure }
        // libxml2 does not report every document cut off inside an element: it is found here.
        let openNames = reader.pointee.openNames
        if let open = openNames.last {
            throw XMLTree.Failure(line: max(1, reader.pointee.line), openElements: openNames,
                                  reason: "malformed XML: the document ends before </\(open)>; the file may be cut short")
        }
        guard reader.pointee.sawElement else {
            throw XMLTree.Failure(line: max(1, reader.pointee.line), openElements: [], reason: "no XML element found")
        }
    }
}

/// One parse: libxml2's push parser context, and what the callbacks it is given keep.
///
/// The parser runs with `XML_PARSE_NOENT` (the five predefined entities and character references
/// become text) and `XML_PARSE_RECOVER`; the first error or warning it reports becomes `failure`,
/// with the line the parser is on and the elements open, and ends the reading. It is created with the
/// document's first four bytes (from which libxml2 tells the encoding) and then given each chunk
/// as `XMLSource` hands it on, then told the document has ended.
private struct SAXReader {
    let handler: any XMLElementHandler
    private var context: xmlParserCtxtPtr?
    private(set) var openNames: [String] = []
    private(set) var sawElement = false
    private(set) var failure: XMLTree.Failure?
    /// Names and namespaces as Swift strings, by the address of libxml2's copy: the parser keeps
    /// one copy of each name in its dictionary for as long as it lives. A slot per address bits,
    /// direct-mapped: a camt.053 document has a few dozen names, each made again only when another
    /// took its slot.
    private var strings = [(address: UnsafeRawPointer?, string: String)](repeating: (nil, ""), count: 128)

    /// The most bytes handed to `xmlParseChunk` in one call.
    static let sliceSize = 1 << 20

    /// libxml2 is set up once per process before any parser of any thread uses it.
    private static let setUp: Void = xmlInitParser()

    init(_ handler: any XMLElementHandler) {
        self.handler = handler
    }

    /// The line the parser is on: where it stopped, or the line on which the tag just read ends.
    var line: Int { context.map { Int(xmlSAX2GetLineNumber($0)) } ?? 0 }

    mutating func freeContext() {
        if let context { xmlFreeParserCtxt(context) }
        context = nil
    }

    /// Parses `source`, with `reader` the user data of every callback.
    static func parse(_ source: XMLSource, with reader: UnsafeMutablePointer<SAXReader>) {
        setUp
        var callbacks = xmlSAXHandler()
        callbacks.initialized = XML_SAX2_MAGIC
        callbacks.startElementNs = { user, localname, _, uri, _, _, attributeCount, _, attributes in
            SAXReader.from(user).pointee.start(localname, uri, attributeCount, attributes)
        }
        callbacks.endElementNs = { user, _, _, _ in SAXReader.from(user).pointee.end() }
        callbacks.characters = { user, bytes, count in SAXReader.from(user).pointee.characters(bytes, count) }
        callbacks.ignorableWhitespace = callbacks.characters
        callbacks.cdataBlock = callbacks.characters
        callbacks.serror = { user, error in SAXReader.from(user).pointee.fail(code: Int(error?.pointee.code ?? 1)) }
        // libxml2 reports a failed encoding conversion without the parser's context, to the
        // thread's handler: this parse's, for as long as it runs (and nothing on stderr).
        xmlSetStructuredErrorFunc(reader, callbacks.serror)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        while reader.pointee.failure == nil, let chunk = source.next() {
            chunk.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { bytes in
                    guard let start = bytes.baseAddress else { return }
                    var offset = 0
                    if reader.pointee.context == nil {
                        // A document of fewer than four bytes is never parsed: it has no element.
                        guard bytes.count >= 4 else { return }
                        guard let context = xmlCreatePushParserCtxt(&callbacks, reader, start, 4, nil) else {
                            return reader.pointee.fail(code: Int(XML_ERR_NO_MEMORY.rawValue))
                        }
                        reader.pointee.context = context
                        xmlCtxtUseOptions(context, Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NOENT.rawValue))
                        offset = 4
                    }
                    // At most a mebibyte at a time, whatever the chunk: libxml2 refuses more than 10 MB
                    // unparsed at once ("huge input lookup"), and counts bytes in an Int32.
                    while let context = reader.pointee.context, reader.pointee.failure == nil, offset < bytes.count {
                        let size = min(bytes.count - offset, SAXReader.sliceSize)
                        let result = xmlParseChunk(context, start + offset, Int32(size), 0)
                        if result != 0 { reader.pointee.fail(code: Int(result)) }
                        offset += size
                    }
                }
            }
        }
        // The end of the document: what libxml2 held back waiting for more bytes is read now.
        if let context = reader.pointee.context, reader.pointee.failure == nil {
            let result = xmlParseChunk(context, nil, 0, 1)
            if result != 0 { reader.pointee.fail(code: Int(result)) }
        }
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<SAXReader> {
        user!.assumingMemoryBound(to: SAXReader.self)
    }

    private mutating func string(_ pointer: UnsafePointer<xmlChar>) -> String {
        let address = UnsafeRawPointer(pointer)
        let slot = Int(truncatingIfNeeded: UInt(bitPattern: address) >> 3) & (strings.count - 1)
        if strings[slot].address == address { return strings[slot].string }
        let made = String(cString: pointer)
        strings[slot] = (address, made)
        return made
    }

    private mutating func start(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ attributeCount: Int32,
                                _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard failure == nil, let localname else { return }
        let name = string(localname)
        let namespace = uri.map { string($0) } ?? ""
        var values: [String: String] = [:]
        if attributeCount > 0, let attributes {
            // Five pointers each: local name, prefix, namespace, value, end of value.
            for index in stride(from: 0, to: Int(attributeCount) * 5, by: 5) {
                guard let local = attributes[index], let value = attributes[index + 3], let end = attributes[index + 4] else { continue }
                var key = String(cString: local)
                if let prefix = attributes[index + 1], prefix.pointee != 0 { key = String(cString: prefix) + ":" + key }
                values[key] = String(decoding: UnsafeBufferPointer(start: value, count: value.distance(to: end)), as: UTF8.self)
            }
        }
        sawElement = true
        openNames.append(name)
        handler.start(name: name, namespace: namespace, attributes: values, line: line)
    }

    private mutating func end() {
        guard failure == nil, openNames.popLast() != nil else { return }
        handler.end()
    }

    private func characters(_ bytes: UnsafePointer<xmlChar>?, _ count: Int32) {
        guard failure == nil, !openNames.isEmpty, let bytes, count > 0 else { return }
        handler.characters(UnsafeBufferPointer(start: bytes, count: Int(count)))
    }

    /// The first error or warning libxml2 reports (or a chunk it refuses) ends the reading: no
    /// more bytes are given to the parser, and every callback ignores what it still reports of the
    /// slice it has. (`xmlStopParser` is not called: from inside a failed encoding conversion it
    /// resets the input under the push that is converting it, and the parse that follows crashed.)
    private mutating func fail(code: Int) {
        guard failure == nil else { return }
        failure = XMLTree.Failure(line: line, openElements: openNames, reason: "malformed XML: \(XMLTree.describe(code: code))")
    }
}
