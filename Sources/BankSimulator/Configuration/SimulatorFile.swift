internal import Foundation

/// Reads the files the simulator's flags name.
public enum SimulatorFile {
    /// The UTF-8 text of the file at `path`.
    public static func text(at path: String) throws(BankSimulatorError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// A secret file's content without the line ending an editor leaves at its end.
    public static func secret(at path: String) throws(BankSimulatorError) -> String {
        var text = try self.text(at: path)
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}
