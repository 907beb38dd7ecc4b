import Testing
import SalurCore
@testable import SalurStatements

/// Property-based fuzzing: seeded, bounded in count, input size and time. Every input must end in
/// a statement or the parser's own error — no crash, no overflow trap, no hang — and whatever a
/// parser accepts must survive its writer unchanged.
@Suite("Fuzzing")
struct FuzzTests {
    static let iterations = 2_500
    static let maxInputBytes = 4_096
    static let timeLimit = Duration.seconds(2)

    // MARK: Mutations

    static let tags = [":20:", ":25:", ":28C:", ":60F:", ":60M:", ":61:", ":86:", ":62F:", ":62M:", ":64:", ":65:", ":21:",
                       ":13D:", ":NS:", ":9Z:", "-", "-}", "{1:F01X}{2:I940}{4:", "{4:", "{5:{CHK:1}}"]
    static let nasty = ["99999999999999999999,00", "9223372036854775807", "9223372036854775808", "-1", ",", "//", "NONREF",
                        "RD", "RC", "D", "C", "0000", "991231", "000000", "&amp;", "&", "<", "]]>", "<![CDATA[x]]>", "<!--",
                        "<!DOCTYPE x>", "\u{0}", "\r", "\r\n", "\n", "\t", "é", "\u{301}", "\u{FEFF}", "🇮🇩", "\"", ";", "0,50",
                        "1.500.000,00", "<Ntry>", "</Ntry>", "<Amt Ccy=\"IDR\">", "</Amt>", "<Stmt>", "IDR", "USD", "CRDT", "DBIT"]

    static func mutate(_ input: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            var lines = split(bytes)
            switch Int.random(in: 0..<11, using: &generator) {
            case 0 where !bytes.isEmpty: // flip a byte
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 1 where !bytes.isEmpty: // set a byte to anything
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 2: // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            case 3 where !lines.isEmpty: // duplicate a line
                let index = Int.random(in: 0..<lines.count, using: &generator)
                lines.insert(lines[index], at: Int.random(in: 0...lines.count, using: &generator))
                bytes = join(lines)
            case 4 where !lines.isEmpty: // delete a line
                lines.remove(at: Int.random(in: 0..<lines.count, using: &generator))
                bytes = join(lines)
            case 5 where lines.count > 1: // swap two lines
                lines.swapAt(Int.random(in: 0..<lines.count, using: &generator), Int.random(in: 0..<lines.count, using: &generator))
                bytes = join(lines)
            case 6: // a random tag at the start of a line
                let tag = Array(tags.randomElement(using: &generator)!.utf8) + Array(nasty.randomElement(using: &generator)!.utf8)
                lines.insert(tag, at: Int.random(in: 0...lines.count, using: &generator))
                bytes = join(lines)
            case 7: // a nasty token anywhere
                let index = Int.random(in: 0...bytes.count, using: &generator)
                bytes.insert(contentsOf: Array(nasty.randomElement(using: &generator)!.utf8), at: index)
            case 8: // a run of digits becomes a huge number
                if let start = bytes.indices.filter({ AmountText.isDigit(bytes[$0]) }).randomElement(using: &generator) {
                    var end = start
                    while end < bytes.count, AmountText.isDigit(bytes[end]) { end += 1 }
                    bytes.replaceSubrange(start..<end, with: Array(String(repeating: "9", count: Int.random(in: 15...40, using: &generator)).utf8))
                }
            case 9: // random bytes
                let count = Int.random(in: 1...32, using: &generator)
                let noise = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                bytes.insert(contentsOf: noise, at: Int.random(in: 0...bytes.count, using: &generator))
            default: // a line cut in two
                guard !lines.isEmpty else { break }
                let index = Int.random(in: 0..<lines.count, using: &generator)
                let cut = Int.random(in: 0...lines[index].count, using: &generator)
                let line = lines[index]
                lines[index] = Array(line.prefix(cut))
                lines.insert(Array(line.dropFirst(cut)), at: index + 1)
                bytes = join(lines)
            }
        }
        return Array(bytes.prefix(Self.maxInputBytes))
    }

    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    }

    static func join(_ lines: [[UInt8]]) -> [UInt8] {
        Array(lines.joined(separator: [0x0A]))
    }

    /// An input: mostly a mutated seed, sometimes pure noise or a splice of two seeds.
    static func input(_ seeds: [[UInt8]], _ generator: inout SplitMix64) -> [UInt8] {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0:
            return (0..<Int.random(in: 0...512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case 1:
            let a = seeds.randomElement(using: &generator)!, b = seeds.randomElement(using: &generator)!
            return mutate(Array(a.prefix(Int.random(in: 0...a.count, using: &generator)) + b.dropFirst(Int.random(in: 0...b.count, using: &generator))), &generator)
        default:
            return mutate(seeds.randomElement(using: &generator)!, &generator)
        }
    }

    /// Runs one parser over the fuzz inputs; `roundTrip` writes what was accepted and reads it back.
    static func fuzz(seed: UInt64, seeds: [[UInt8]], lineCount: ([UInt8]) -> Int,
                     parse: ([UInt8]) throws(StatementParseError) -> [Statement],
                     roundTrip: ([Statement]) throws(StatementParseError) -> [Statement]) -> (accepted: Int, refused: Int) {
        var generator = SplitMix64(seed: seed)
        var accepted = 0, refused = 0
        let clock = ContinuousClock()
        for iteration in 0..<iterations {
            let bytes = input(seeds, &generator)
            let started = clock.now
            do throws(StatementParseError) {
                let statements = try parse(bytes)
                accepted += 1
                #expect(!statements.isEmpty)
                for statement in statements { _ = try? statement.checkBalance() }
                do throws(StatementParseError) {
                    let again = try roundTrip(statements)
                    let problem = difference(again.map(\.content), statements.map(\.content))
                    #expect(problem == nil, "iteration \(iteration): \(problem ?? "")\ninput: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                } catch {
                    Issue.record("iteration \(iteration): the writer's output was refused: \(error)\ninput: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                }
            } catch {
                refused += 1
                #expect(error.line >= 1 && error.line <= lineCount(bytes) + 1, "iteration \(iteration): \(error)")
                #expect(!error.reason.isEmpty && !error.field.isEmpty, "iteration \(iteration): \(error)")
                #expect(error.file == "fuzz")
            }
            let elapsed = clock.now - started
            #expect(elapsed < timeLimit, "iteration \(iteration) took \(elapsed)")
        }
        return (accepted, refused)
    }

    static func lines(_ bytes: [UInt8]) -> Int {
        max(1, bytes.count(where: { $0 == 0x0A }) + 1, bytes.count(where: { $0 == 0x0D }) + 1)
    }

    // MARK: Parsers

    @Test func mt940Parser() {
        var generator = SplitMix64(seed: 940)
        var seeds = [MT940Fixtures.standard, MT940Fixtures.bri, MT940Fixtures.twoStatements, MT940Fixtures.reversal].map { Array($0.utf8) }
        for _ in 0..<6 {
            let statement = RoundTripTests.randomStatement(&generator, format: .mt940)
            seeds.append(Array(MT940Writer.write([statement]).utf8).prefix(Self.maxInputBytes).map { $0 })
        }
        let result = Self.fuzz(seed: 0x940_F022, seeds: seeds, lineCount: Self.lines,
                               parse: { bytes throws(StatementParseError) in try MT940Parser.parse(bytes: bytes, file: "fuzz") },
                               roundTrip: { statements throws(StatementParseError) in try MT940Parser.parse(MT940Writer.write(statements), file: "fuzz") })
        // The mutations must leave some inputs valid, or the round trip tests nothing.
        #expect(result.accepted > 100 && result.refused > 100, "\(result)")
    }

    @Test func camt053Parser() {
        var generator = SplitMix64(seed: 53)
        var seeds = [Camt053Fixtures.twoStatements, Camt053Fixtures.oneEntry()].map { Array($0.utf8) }
        for _ in 0..<4 {
            let statement = RoundTripTests.randomStatement(&generator, format: .camt053)
            var small = statement
            small.entries = Array(statement.entries.prefix(2))
            seeds.append(Array(Camt053Writer.write([small]).utf8))
        }
        seeds = seeds.map { Array($0.prefix(Self.maxInputBytes)) }
        let result = Self.fuzz(seed: 0x053_F022, seeds: seeds, lineCount: Self.lines,
                               parse: { bytes throws(StatementParseError) in try Camt053Parser.parse(bytes: bytes, file: "fuzz") },
                               roundTrip: { statements throws(StatementParseError) in try Camt053Parser.parse(Camt053Writer.write(statements), file: "fuzz") })
        #expect(result.accepted > 50 && result.refused > 100, "\(result)")
    }

    @Test func csvParser() throws {
        var generator = SplitMix64(seed: 0xC5F)
        let mappings = [CSVStatementParserTests.mandiriMapping, CSVStatementParserTests.splitMapping]
        let parsers = try mappings.map { mapping throws(CSVStatementMappingError) in try CSVStatementParser(mapping: mapping) }
        let seeds = [CSVStatementParserTests.mandiri, CSVStatementParserTests.split].map { Array($0.utf8) }
        let clock = ContinuousClock()
        var accepted = 0, refused = 0
        for iteration in 0..<Self.iterations {
            let which = Int.random(in: 0..<2, using: &generator)
            let bytes = Self.input([seeds[which]], &generator)
            let started = clock.now
            do throws(ImportFailure) {
                let statement = try parsers[which].parse(bytes: bytes, file: "fuzz")
                accepted += 1
                _ = try? statement.checkBalance()
                #expect(statement.entries.allSatisfy { $0.amount.value >= 0 })
            } catch {
                refused += 1
                #expect(!error.issues.isEmpty, "iteration \(iteration)")
                #expect(error.issues.allSatisfy { $0.line >= 0 && $0.line <= Self.lines(bytes) + 1 }, "iteration \(iteration): \(error)")
            }
            #expect(clock.now - started < Self.timeLimit, "iteration \(iteration)")
        }
        #expect(accepted > 100 && refused > 100, "\(accepted) accepted, \(refused) refused")
    }

    @Test func formatDetectionNeverTraps() {
        var generator = SplitMix64(seed: 0xDE7)
        let seeds = [MT940Fixtures.standard, Camt053Fixtures.twoStatements, CSVStatementParserTests.mandiri].map { Array($0.utf8) }
        for _ in 0..<Self.iterations {
            let bytes = Self.input(seeds, &generator)
            _ = StatementFormat.detect(bytes: bytes)
        }
    }
}
