import ArgumentParser
import Foundation
import SalurCore
import SalurStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Exports for reconciliation and audit.", subcommands: [Reconciliation.self])

    struct Reconciliation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One row per transfer, CSV (RFC 4180) or JSON, with control totals on stderr.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "From this date (YYYY-MM-DD), by settlement or queueing date.") var from: String?
        @Option(help: "To this date (YYYY-MM-DD), inclusive.") var to: String?
        @Option(help: "csv or json.") var format = "csv"
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
        @Flag(help: "The CSV dialect Indonesian Excel opens directly: ';' separator and a UTF-8 BOM.") var excel = false

        static let columns = ["transfer_id", "partner_reference_no", "external_id", "bank_reference_no", "batch_id", "program", "period",
                              "nik", "name", "account_no", "amount", "state", "attempts", "settled_at", "failure_code"]

        func validate() throws {
            guard ["csv", "json"].contains(format) else { throw ValidationError("--format must be csv or json") }
            for date in [from, to].compactMap({ $0 }) where CalendarDate(date) == nil {
                throw ValidationError("dates must be YYYY-MM-DD, found \(date)")
            }
        }

        func run() async throws {
            let ledger = try global.ledger()
            let records = try ledger.transferRecords(from: from, to: to)
            let bytes: [UInt8]
            if format == "json" {
                let rows = records.map { r -> [String: String] in
                    var row = Dictionary(uniqueKeysWithValues: zip(Self.columns, Self.fields(r)))
                    row["amount"] = String(r.amount.value)
                    return row
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                bytes = Array(try encoder.encode(rows)) + [0x0A]
            } else {
                var writer = CSVWriter(excel: excel)
                writer.write(Self.columns)
                for r in records { writer.write(Self.fields(r)) }
                bytes = writer.output
            }
            if let output {
                try Output.writeAtomically(bytes, to: output)
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
            var totals: [String: StateTotal] = [:]
            for r in records { totals[r.state, default: StateTotal()].count += 1; totals[r.state, default: StateTotal()].amount += r.amount.value }
            let summary = totals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count) (Rp \(Rupiah($0.value.amount).grouped))" }
            let line = "\(records.count) transfers: " + summary.joined(separator: ", ") + "; sha256 \(AuditChain.sha256Hex(bytes))\n"
            FileHandle.standardError.write(Data(line.utf8))
        }

        static func fields(_ r: TransferRecord) -> [String] {
            [String(r.transferID), r.partnerReferenceNo, r.externalID ?? "", r.bankReferenceNo ?? "", r.batchID ?? "", r.program, r.period,
             r.nik ?? "", r.name, r.accountNo, String(r.amount.value), r.state, String(r.attempts), r.settledAt ?? "", r.failureCode ?? ""]
        }
    }
}
