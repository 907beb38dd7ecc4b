import Foundation
import Logging

/// One logfmt line per event on stderr (journald adds the time and unit):
/// `level=info msg="batch posting" batch=B-2026-11-0001 amount=771000000`.
///
/// The level comes from a shared `LogLevelSwitch` (a reload changes it) unless a logger sets its own.
/// As a safety net, any run of 10 or more digits in a free-text value — an account number or a NIK a
/// bank might echo in an error message — is masked to its last 4 digits; identifiers and amounts
/// (`identifierKeys`) are left as they are.
struct LogfmtHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    let label: String
    let levels: LogLevelSwitch
    private var ownLevel: Logger.Level?
    private let write: @Sendable (String) -> Void

    /// Keys whose values are Salur's own identifiers or amounts, never account numbers.
    static let identifierKeys: Set<String> = ["ref", "external_id", "amount", "balance", "batch", "pid", "monotonic_usec"]

    init(label: String, levels: LogLevelSwitch,
         write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.levels = levels
        self.write = write
    }

    var logLevel: Logger.Level {
        get { ownLevel ?? levels.current }
        set { ownLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        write(Self.line(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }

    /// The logfmt line for one event, newline included.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "level=\(level) msg=\(quote(maskDigitRuns(message)))"
        for key in metadata.keys.sorted() {
            let value = "\(metadata[key]!)"
            line += " \(key)=\(quote(identifierKeys.contains(key) ? value : maskDigitRuns(value)))"
        }
        return line + "\n"
    }

    /// `rekening 0011223344 tidak aktif` → `rekening ******3344 tidak aktif`.
    static func maskDigitRuns(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return text }
        var out = ""
        var run = ""
        func flush() {
            out += run.count >= 10 ? String(repeating: "*", count: run.count - 4) + run.suffix(4) : run
            run = ""
        }
        for character in text {
            if character.isASCII, character.isNumber { run.append(character) } else { flush(); out.append(character) }
        }
        flush()
        return out
    }

    static func quote(_ value: String) -> String {
        let needs = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" || $0 == "\\" })
        guard needs else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
