/// Splits free text over fixed-width lines (MT940 `:86:`, camt `Ustrd`) and joins it back.
///
/// The rule that makes the two exact inverses: a line that is exactly full was cut mid-text and
/// the next line continues it directly; a shorter line ended at a space, which the join puts back.
/// Banks that hard-wrap at the width and banks that break at words are both read correctly.
struct TextWrap {
    /// Width of the first line.
    let firstWidth: Int
    /// Width of every further line.
    let width: Int
    /// Whether a piece reads back as itself when written as a line (`isFirst`: the first line).
    let isValidLine: @Sendable (_ line: ArraySlice<Unicode.Scalar>, _ isFirst: Bool) -> Bool
    /// Whether some further line may start with these scalars: a look-ahead that keeps the wrap
    /// from cutting where no valid next line could begin.
    let canStartContinuation: @Sendable (ArraySlice<Unicode.Scalar>) -> Bool

    /// Joins lines read from a file; `full[i]` says line `i` was filled to the width.
    static func join(_ lines: [String], full: [Bool]) -> String {
        join(utf8: lines.map { Array($0.utf8)[...] }, full: full)
    }

    /// `join` of lines given as valid UTF-8.
    static func join(utf8 lines: [ArraySlice<UInt8>], full: [Bool]) -> String {
        if lines.count == 1 { return String(decoding: lines[0], as: UTF8.self) }
        var text: [UInt8] = []
        text.reserveCapacity(lines.reduce(lines.count) { $0 + $1.count })
        for (index, line) in lines.enumerated() {
            if index > 0, !full[index - 1] { text.append(0x20) }
            text.append(contentsOf: line)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Splits `text` so that joining the pieces (a piece of exactly `width` scalars being full)
    /// gives `text` back. Prefers breaking at a space; cuts a word only when it must.
    func wrap(_ text: String) -> [String] {
        var rest = ArraySlice(Array(text.unicodeScalars))
        var pieces: [String] = []
        while !rest.isEmpty {
            let budget = pieces.isEmpty ? firstWidth : width
            let isFirst = pieces.isEmpty
            if rest.count <= budget, isValidLine(rest, isFirst) {
                pieces.append(string(rest))
                break
            }
            let cut = softCut(rest, budget: budget, isFirst: isFirst) ?? hardCut(rest, budget: budget, isFirst: isFirst)
            pieces.append(string(rest[rest.startIndex..<cut.pieceEnd]))
            rest = rest[cut.restStart...]
        }
        return pieces
    }

    /// The last space within the budget that leaves a valid piece and a valid rest.
    private func softCut(_ rest: ArraySlice<Unicode.Scalar>, budget: Int, isFirst: Bool) -> (pieceEnd: Int, restStart: Int)? {
        let start = rest.startIndex
        var index = min(start + budget - 1, rest.endIndex - 1)
        while index > start {
            if rest[index] == " " {
                let piece = rest[start..<index], after = rest[(index + 1)...]
                if !after.isEmpty, isValidLine(piece, isFirst), canStartContinuation(after) { return (index, index + 1) }
            }
            index -= 1
        }
        return nil
    }

    /// A cut at exactly the budget; when that leaves an invalid piece or rest, the nearest valid cut
    /// before it (which a reader then joins with a space: the one loss this cannot avoid).
    private func hardCut(_ rest: ArraySlice<Unicode.Scalar>, budget: Int, isFirst: Bool) -> (pieceEnd: Int, restStart: Int) {
        let start = rest.startIndex
        let exact = min(start + budget, rest.endIndex)
        if isValidLine(rest[start..<exact], isFirst), exact == rest.endIndex || canStartContinuation(rest[exact...]) {
            return (exact, exact)
        }
        var index = exact - 1
        while index > start {
            if isValidLine(rest[start..<index], isFirst), canStartContinuation(rest[index...]) { return (index, index) }
            index -= 1
        }
        return (exact, exact)
    }

    private func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
