import ArgumentParser
import Foundation
import SalurCore
import SalurStore

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "The transfer queue at a glance.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count and amount per transfer state; batches per state; oldest ages.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let status = try await global.store(.readOnly).queueStatus()
            if json {
                struct JSON: Encodable {
                    let transfers: [String: StateTotal]
                    let batches: [String: StateTotal]
                    let oldest_pending_age_seconds: Int?
                    let oldest_in_doubt_age_seconds: Int?
                }
                return try Output.json(JSON(transfers: status.transfers, batches: status.batches,
                                            oldest_pending_age_seconds: status.oldestPendingAgeSeconds,
                                            oldest_in_doubt_age_seconds: status.oldestInDoubtAgeSeconds))
            }
            print(Output.table(["TRANSFERS", "COUNT", "AMOUNT (Rp)"], TransferState.allCases.map { s in
                let t = status.transfers[s.rawValue] ?? StateTotal()
                return [s.rawValue, Output.grouped(t.count), Rupiah(t.amount).grouped]
            }, right: [1, 2]))
            print()
            print(Output.table(["BATCHES", "COUNT", "AMOUNT (Rp)"], BatchState.allCases.map { s in
                let t = status.batches[s.rawValue] ?? StateTotal()
                return [s.rawValue, Output.grouped(t.count), Rupiah(t.amount).grouped]
            }, right: [1, 2]))
            print()
            print("oldest pending: \(status.oldestPendingAgeSeconds.map { "\($0) s" } ?? "none"); oldest in doubt: \(status.oldestInDoubtAgeSeconds.map { "\($0) s" } ?? "none")")
        }
    }
}
