import ArgumentParser
import Foundation
import SalurConfig
import SalurCore
import SalurEngine
import SalurStore

extension SalurConfiguration {
    /// The batching rules the store applies when transfers are queued.
    var batchingRules: BatchingRules { BatchingRules(self) }
}

struct TransfersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers", abstract: "Non-cash transfers: queue them, retry failed ones, cancel failed ones to queue them again corrected.",
        subcommands: [Enqueue.self, Retry.self, Cancel.self])

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue one transfer per recipient of a programme with an opened account (idempotent per recipient, programme and period), or one-off payments from a CSV file (nik,amount,program,period,remark).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The programme, e.g. BANSOS-NT.") var program: String?
        @Option(help: "The period, YYYY-MM.") var period: String?
        @Option(help: "Whole rupiah per recipient, digits only, e.g. 300000 (or 1.250.000 with two or more dots).") var amount: String?
        @Option(help: "Remark sent with each transfer: printable ASCII, at most 50 characters (default: programme and period).") var remark: String?
        @Option(help: "A CSV of one-off payments instead.") var file: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if file == nil, program == nil || period == nil || amount == nil {
                throw ValidationError("give --program, --period and --amount, or --file")
            }
            if file != nil, program != nil || amount != nil || remark != nil {
                throw ValidationError("--file cannot be combined with --program/--amount/--remark (the file has a remark column)")
            }
            if let amount, case .failure(let refusal) = Rupiah.operatorAmount(amount) { throw ValidationError("--amount \(refusal)") }
            if let period, file == nil, case .failure(let refusal) = Period.operatorPeriod(period) { throw ValidationError("--period \(refusal)") }
            if let remark, let problem = TransferRemark.problem(remark) { throw ValidationError("--remark: \(problem)") }
            if let program, let problem = Validate.code(program) { throw ValidationError("--program: \(problem)") }
        }

        func run() async throws {
            let configuration = try global.load()
            let ledger = try await configuration.openStore(access: .create).store
            let actor = OperatorIdentity.current()
            let summary: EnqueueSummary
            if let file {
                let bytes = try Output.readFile(file)
                let rows = try TransferFile.parse(bytes: bytes, file: file)
                summary = try await ledger.enqueueFile(rows, source: SourceFile(path: file, sha256: AuditChain.sha256Hex(bytes)),
                                                 actor: actor, rules: configuration.batchingRules)
            } else {
                guard case .success(let period) = Period.operatorPeriod(period ?? ""),
                      case .success(let value) = Rupiah.operatorAmount(amount ?? "") else {
                    throw CLIError("--period and --amount were checked before the database was opened", exit: .failure)
                }
                let remark = remark ?? "\(program ?? "") \(period)"
                if let problem = TransferRemark.problem(remark) {
                    throw CLIError("the remark formed from the programme and period, \"\(remark)\": \(problem); give --remark", exit: .usage)
                }
                summary = try await ledger.enqueueProgram(program: program ?? "", period: period, amount: value,
                                                    remark: remark, actor: actor, rules: configuration.batchingRules)
            }
            if json { return try Output.json(summary) }
            defer { TransfersCommand.reportDifferences(summary) }
            if summary.queued == 0 {
                print("nothing queued: \(Output.grouped(summary.alreadyQueued)) already queued for this period.")
            } else {
                print("queued \(Output.grouped(summary.queued)) transfers, \(summary.queuedAmount), in \(summary.batches.count) batch\(summary.batches.count == 1 ? "" : "es")"
                      + (summary.batches.isEmpty ? "" : ": \(summary.batches.joined(separator: ", "))")
                      + (summary.alreadyQueued > 0 ? "; \(Output.grouped(summary.alreadyQueued)) were already queued" : ""))
            }
            if !summary.skipped.isEmpty {
                print("skipped \(Output.grouped(summary.skipped.count)) recipients without an opened account (never queued):")
                let shown = summary.skipped.prefix(20)
                print(Output.table(["NIK", "NAME", "STATE", "REASON"], shown.map { [$0.nik, $0.name, $0.state, $0.reason ?? ""] }))
                if summary.skipped.count > shown.count {
                    print("… and \(summary.skipped.count - shown.count) more: salurctl recipients list --state rejected")
                }
            }
        }
    }

    /// Says which already queued transfers differ from what was asked (nothing of them was changed).
    static func reportDifferences(_ summary: EnqueueSummary) {
        guard summary.differingCount > 0 else { return }
        print("\(Output.grouped(summary.differingCount)) already queued transfer\(summary.differingCount == 1 ? "" : "s") "
              + "differ\(summary.differingCount == 1 ? "s" : "") from what was asked, and \(summary.differingCount == 1 ? "was" : "were") left as queued:")
        print(Output.table(["NIK", "PROGRAM", "PERIOD", "STATE", "DIFFERENCE"], summary.differing.map {
            [$0.nik ?? "", $0.program, $0.period, $0.state, $0.differences.joined(separator: "; ")]
        }))
        if summary.differingCount > summary.differing.count {
            print("… and \(Output.grouped(summary.differingCount - summary.differing.count)) more")
        }
        print("to pay them as asked: hold or cancel their batch before it is sent (salurctl batches cancel), or, once failed, "
              + "salurctl transfers cancel --failed --reason …; then queue them again.")
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel failed transfers for good (audited, with a reason), so that they can be queued again with corrected data.",
            discussion: """
                Only failed transfers are cancelled here (a transfer not yet sent is cancelled with its batch: salurctl batches \
                cancel). A cancelled transfer keeps its reference and history; its recipient, programme and period may then be \
                queued again (salurctl transfers enqueue), as a new transfer a checker approves.
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Cancel failed transfers (required, to say what is meant).") var failed = false
        @Option(help: "Only this batch.") var batch: String?
        @Option(help: "Only this recipient's (NIK); repeat for more.") var nik: [String] = []
        @Option(help: "Why (kept in the audit log and on each transfer).") var reason: String
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if !failed { throw ValidationError("say --failed") }
            if let problem = Validate.reason(reason) { throw ValidationError("--reason: \(problem)") }
            for value in nik {
                do { _ = try NIK(validating: value) } catch { throw ValidationError("--nik \(value): \(error)") }
            }
        }

        func run() async throws {
            let configuration = try global.load()
            let ledger = try await configuration.openStore().store
            let summary = try await ledger.cancelFailed(batchID: batch, niks: nik, reason: reason, actor: OperatorIdentity.current())
            if json { return try Output.json(summary) }
            guard summary.cancelled > 0 else { return print("no failed transfer to cancel.") }
            print("cancelled \(Output.grouped(summary.cancelled)) failed transfer\(summary.cancelled == 1 ? "" : "s"), \(summary.amount), "
                  + "of \(summary.batches.joined(separator: ", ")); queue them again with corrected data: salurctl transfers enqueue …")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay failed transfers again (same partnerReferenceNo) through a new batch a checker approves; each is asked about at the bank before it is sent.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Retry failed transfers (required, to say what is meant).") var failed = false
        @Option(help: "Only this batch.") var batch: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws { if !failed { throw ValidationError("say --failed") } }

        func run() async throws {
            let configuration = try global.load()
            let ledger = try await configuration.openStore().store
            let summary = try await ledger.retryFailed(batchID: batch, actor: OperatorIdentity.current(), rules: configuration.batchingRules)
            if json { return try Output.json(RetryJSON(summary)) }
            guard summary.transfers > 0 else { return print("no failed transfer to retry.") }
            let batches = summary.batches.joined(separator: ", ")
            print("\(Output.grouped(summary.transfers)) failed transfers put in \(summary.batches.count == 1 ? "batch" : "batches") \(batches); "
                  + "each is asked about at the bank before it is sent again.")
            if summary.awaitingApproval {
                print("awaiting approval by another official: salurctl batches approve \(summary.batches.joined(separator: " "))")
            }
        }
    }
}

/// `transfers retry --failed --json`.
struct RetryJSON: Encodable {
    let transfers: Int
    let batches: [String]
    let awaiting_approval: Bool

    init(_ s: RetrySummary) {
        transfers = s.transfers; batches = s.batches; awaiting_approval = s.awaitingApproval
    }
}

struct BatchesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batches", abstract: "Batches: approve (checker), hold, release, cancel, list, show.",
        subcommands: [List.self, Show.self, Approve.self, Hold.self, Release.self, Cancel.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List batches, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this state.") var state: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var filter: BatchState?
            if let state {
                guard let parsed = BatchState(rawValue: state) else {
                    throw ValidationError("--state must be one of \(BatchState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter = parsed
            }
            let batches = try await global.store(.readOnly).batches(state: filter)
            if json { return try Output.json(batches.map { BatchJSON($0) }) }
            print(Output.table(["BATCH", "PROGRAM", "PERIOD", "STATE", "ITEMS", "AMOUNT", "SETTLED", "APPROVED BY", "NOTE"], batches.map { b in
                [b.id, b.program, b.period, b.state, Output.grouped(b.itemCount), Rupiah(b.amount.value).grouped,
                 Output.grouped(b.transfers["settled"]?.count ?? 0), b.approvedBy ?? "", b.holdReason ?? ""]
            }, right: [4, 5, 6]))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One batch with its transfers per state.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let ledger = try await global.store(.readOnly)
            guard let batch = try await ledger.batches(id: id).first else { throw CLIError("no batch \(id)", exit: .failure) }
            // The SNAP service each transfer is queued for ([bank.routing]), counted.
            var services: [String: StateTotal] = [:]
            for record in try await ledger.reconciledTransfers(from: nil, to: nil, batchID: id) {
                let service = record.transfer.service ?? ""
                let now = services[service] ?? StateTotal(count: 0, amount: 0)
                services[service] = StateTotal(count: now.count + 1, amount: now.amount &+ record.transfer.amount.value)
            }
            if json { return try Output.json(BatchJSON(batch, services: services)) }
            print("batch \(batch.id): \(batch.program) \(batch.period), \(batch.state)")
            print("  \(Output.grouped(batch.itemCount)) transfers, \(batch.amount); queued by \(batch.makers); created \(batch.createdAt)")
            if let by = batch.approvedBy { print("  approved by \(by) at \(batch.approvedAt ?? "")") }
            if let reason = batch.holdReason { print("  held: \(reason)") }
            print(Output.table(["STATE", "COUNT", "AMOUNT"], batch.transfers.sorted { $0.key < $1.key }.map {
                [$0.key, Output.grouped($0.value.count), Rupiah($0.value.amount).grouped]
            }, right: [1, 2]))
            print("")
            print(Output.table(["SERVICE", "COUNT", "AMOUNT"], services.sorted { $0.key < $1.key }.map {
                [TransferService(rawValue: $0.key)?.label ?? $0.key, Output.grouped($0.value.count), Rupiah($0.value.amount).grouped]
            }, right: [1, 2]))
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve batches (checker). The approver is the OS user running this.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Batch ids.") var ids: [String] = []
        @Flag(help: "Approve every batch awaiting approval.") var all = false

        func validate() throws {
            if ids.isEmpty != all { throw ValidationError("give batch ids or --all") }
        }

        func run() async throws {
            let configuration = try global.load()
            let ledger = try await configuration.openStore().store
            let approved = try await ledger.approve(ids: ids, all: all, actor: OperatorIdentity.current(),
                                              distinctApprover: configuration.batching.distinctApprover)
            print(approved.isEmpty ? "no batch awaiting approval." : "approved \(approved.joined(separator: ", "))")
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hold a batch: nothing more of it is sent until released.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        @Option(help: "Why (kept in the audit log).") var reason = "held by operator"

        func validate() throws {
            if let problem = Validate.reason(reason) { throw ValidationError("--reason: \(problem)") }
        }

        func run() async throws {
            try await global.store().hold(id: id, reason: reason, actor: OperatorIdentity.current())
            print("held \(id)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a held batch.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await global.store().release(id: id, actor: OperatorIdentity.current())
            print("released \(id)")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel what of a batch has not been sent.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String

        func run() async throws {
            let count = try await global.store().cancel(id: id, actor: OperatorIdentity.current())
            print("cancelled \(id): \(Output.grouped(count)) transfers")
        }
    }
}

/// A batch in `--json` output.
struct BatchJSON: Encodable {
    let id, program, period, state, makers, created_at: String
    let items: Int
    let amount: Int64
    let approved_by, approved_at, hold_reason: String?
    let transfers: [String: StateTotal]
    /// `batches show --json`: count and amount per SNAP service code (`17`, `18`, `22`, `23`).
    let services: [String: StateTotal]?

    init(_ b: BatchSummary, services: [String: StateTotal]? = nil) {
        id = b.id; program = b.program; period = b.period; state = b.state; makers = b.makers; created_at = b.createdAt
        items = b.itemCount; amount = b.amount.value; approved_by = b.approvedBy; approved_at = b.approvedAt
        hold_reason = b.holdReason; transfers = b.transfers; self.services = services
    }
}
