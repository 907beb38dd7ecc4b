import Testing
import SalurCore
@testable import SalurStatements

/// `MT940Parser.Stream` reads a file a chunk at a time and hands entries on as they complete; it
/// must give exactly what `MT940Parser.parse(bytes:)` gives for the same bytes, whatever the chunks:
/// the same statements and entries, or the same first problem.
@Suite("MT940 stream")
struct MT940StreamTests {
    /// The statements read by a stream fed `bytes` in chunks of `sizes` (cycled), entries put back
    /// into their statements.
    static func streamed(_ bytes: [UInt8], sizes: [Int]) throws(StatementParseError) -> [Statement] {
        var entries: [(Int, StatementEntry)] = []
        var stream = MT940Parser.Stream(file: "fuzz", lineFeeds: bytes.contains(0x0A)) { entries.append(($0, $1)) }
        var offset = 0, turn = 0
        while offset < bytes.count {
            let size = min(sizes[turn % sizes.count], bytes.count - offset)
            var problem: StatementParseError?
            Array(bytes[offset..<(offset + size)]).withUnsafeBytes { chunk in
                do throws(StatementParseError) { try stream.feed(chunk) } catch { problem = error }
            }
            if let problem { throw problem }
            offset += size
            turn += 1
        }
        var statements = try stream.finish()
        for (index, entry) in entries { statements[index].entries.append(entry) }
        return statements
    }

    static func outcome(_ read: () throws(StatementParseError) -> [Statement]) -> Result<[Statement], StatementParseError> {
        do throws(StatementParseError) { return .success(try read()) } catch { return .failure(error) }
    }

    @Test(arguments: [[1], [2, 3, 5], [7], [64], [1 << 20]])
    func fixturesInAnyChunks(sizes: [Int]) throws {
        let texts = [MT940Fixtures.standard, MT940Fixtures.bri, MT940Fixtures.twoStatements, MT940Fixtures.reversal,
                     "\u{FEFF}" + MT940Fixtures.bri, MT940Fixtures.standard.replacingOccurrences(of: "\r\n", with: "\r"),
                     String(MT940Fixtures.bri.dropLast())]
        for text in texts {
            let bytes = Array(text.utf8)
            let whole = try MT940Parser.parse(bytes: bytes, file: "fuzz")
            #expect(try Self.streamed(bytes, sizes: sizes) == whole)
            #expect(whole.contains { !$0.entries.isEmpty })
        }
    }

    /// Fuzzed files (valid and broken) read whole and streamed in random chunks: the same result.
    @Test func sameAsWholeOnFuzzedFiles() {
        var generator = SplitMix64(seed: 0x5743)
        var seeds = [MT940Fixtures.standard, MT940Fixtures.bri, MT940Fixtures.twoStatements, MT940Fixtures.reversal].map { Array($0.utf8) }
        for _ in 0..<6 {
            let statement = RoundTripTests.randomStatement(&generator, format: .mt940)
            seeds.append(Array(MT940Writer.write([statement]).utf8).prefix(FuzzTests.maxInputBytes).map { $0 })
        }
        var accepted = 0, refused = 0
        for iteration in 0..<1_500 {
            let bytes = FuzzTests.input(seeds, &generator)
            let sizes = (0..<3).map { _ in Int.random(in: 1...97, using: &generator) }
            let whole = Self.outcome { () throws(StatementParseError) in try MT940Parser.parse(bytes: bytes, file: "fuzz") }
            let streamed = Self.outcome { () throws(StatementParseError) in try Self.streamed(bytes, sizes: sizes) }
            #expect(streamed == whole, "iteration \(iteration), chunks \(sizes): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if case .success = whole { accepted += 1 } else { refused += 1 }
        }
        #expect(accepted > 50 && refused > 50, "accepted \(accepted), refused \(refused)")
    }

    @Test func balanceFromTallyIsTheBalanceFromEntries() throws {
        var statement = try #require(try MT940Parser.parse(MT940Fixtures.standard, file: "s.sta").first)
        var tally = StatementTally()
        for entry in statement.entries { tally.add(entry) }
        try statement.checkBalance(tally)
        statement.closingBalanceSen = Sen(statement.closingBalanceSen.value + 50)
        let fromEntries = #expect(throws: StatementBalanceError.self) { try statement.checkBalance() }
        let fromTally = #expect(throws: StatementBalanceError.self) { try statement.checkBalance(tally) }
        #expect(fromEntries == fromTally && fromTally?.difference == Sen(50))
    }
}
