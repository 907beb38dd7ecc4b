import ArgumentParser
import Foundation
import SalurConfig
import SalurCore
import SalurReports
import SalurStatements
import SalurStore

/// `salurctl reconcile`: bank statements in, exceptions out.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Match bank statements (MT940, camt.053, CSV) to transfers; list and resolve exceptions.",
        discussion: """
            salurctl reconcile STATEMENT_FILE… stores each statement once and matches it; salurctl reconcile alone \
            matches again what is stored (after transfers settled, or days passed).
            """,
        subcommands: [Match.self, Status.self, Exceptions.self, Resolve.self, Flagged.self],
        defaultSubcommand: Match.self)

    struct Match: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "match",
            abstract: "Check, store and match statement files (the default: salurctl reconcile FILE).",
            discussion: """
                Each statement's opening balance + entries must equal its closing balance, or the file is refused (exit 65) \
                saying by how much. A statement already stored with the same content changes nothing, and a file stored whole \
                before is not read again (known by its SHA-256; a CSV export also by its name and by how [reconciliation.csv] \
                and the balance flags read it): its stored statements are matched anew. Debits are matched to \
                transfers by bank or partner reference, then by amount, beneficiary account and day (marked weak). Amounts \
                are exact to the sen: a whole-rupiah transfer is paid only by a debit of exactly that amount ,00. The bank's own \
                items (interest/jasa giro, tax on it, account and transfer fees) are recognised by the statement's codes and by \
                [reconciliation.bank_items] rules, and open no exception. A camt.053 statement without an opening balance takes \
                it from the previous statement of its account (said in the output), or is refused.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Statement files; none re-matches what is stored.") var files: [String] = []
        @Option(help: "mt940, camt053 or csv (detected for MT940 and camt.053 when left out).") var format: String?
        @Option(help: "CSV only: the opening balance (saldo awal), when the file has no column for it.") var openingBalance: Int64?
        @Option(help: "CSV only: the closing balance (saldo akhir), when the file has no column for it.") var closingBalance: Int64?
        @Option(help: "Judge missing statements as of this day (YYYY-MM-DD, bank time; default today).") var asOf: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let format, StatementFormat(rawValue: format) == nil { throw ValidationError("--format must be mt940, camt053 or csv") }
            if let asOf, CalendarDate(asOf) == nil { throw ValidationError("--as-of must be YYYY-MM-DD, found \(asOf)") }
            if (openingBalance != nil || closingBalance != nil) && format != "csv" {
                throw ValidationError("--opening-balance and --closing-balance are for CSV statements (--format csv); MT940 and camt.053 carry their own")
            }
        }

        func run() async throws {
            let configuration = try global.load()
            let settings = configuration.reconciliation
            let ledger = try await configuration.openStore(access: .create).store
            let today = asOf.flatMap(CalendarDate.init) ?? BankTime.today(utcOffsetHours: settings.utcOffsetHours)
            let actor = OperatorIdentity.current()
            let bankItems = BankItemClassifier(rules: settings.bankItems)
            let match = { (input: ReconciliationInput) in Reconciler.match(input, bankItems: bankItems) }
            let matching = Reconciler.matchingKey(bankItems: bankItems)
            var runs: [(file: String, run: ReconciliationRun)] = []
            var notes: [String] = []
            let bar = ProgressBar.onStandardError("reconciling", total: nil, unit: "entries", quiet: json)
            try await Refusals.asDataErrors {
                if files.isEmpty {
                    runs.append(("(stored statements)", try await ledger.reconcile(
                        statements: [], alreadyStored: 0, file: nil, actor: actor, today: today,
                        missingAfterDays: settings.missingAfterDays, utcOffsetHours: settings.utcOffsetHours, matching: matching,
                        match: match)))
                }
                for file in files {
                    // A regular file (MT940, camt.053 or CSV) is read in chunks, once for its digest and
                    // once to parse it, never held whole; a pipe, which cannot be read twice, is read into memory.
                    let digest: (source: SourceFile, lineEnds: Int)?
                    do throws(InputFile.Failure) { digest = try SourceFile.digest(path: file) } catch { throw CLIError(error.description, exit: .dataError) }
                    var bytes = digest == nil ? try Output.readFile(file) : []
                    let head = digest == nil ? Array(bytes.prefix(4096)) : Self.head(of: file)
                    let chosen = format.flatMap(StatementFormat.init(rawValue:))
                    let mapping = chosen == .csv ? try csvMapping(configuration) : nil
                    // A file stored whole before (a CSV export: read the same way) is not read again:
                    // each of its statements is stored.
                    let sha256 = digest?.source.sha256 ?? AuditChain.sha256Hex(bytes)
                    if let stored = try await ledger.storedWhole(head, sha256: sha256, format: chosen, csvMapping: mapping, file: file,
                                                                  sourceAccount: configuration.bank?.sourceAccount) {
                        runs.append((file, try await ledger.reconcile(
                            statements: [], alreadyStored: stored.statements, file: SourceFile(path: file, sha256: sha256),
                            actor: actor, today: today, missingAfterDays: settings.missingAfterDays,
                            utcOffsetHours: settings.utcOffsetHours, matching: matching, match: match)))
                        continue
                    }
                    var statements: StatementFile
                    if let digest, let streamed = try Self.streamed(file, sha256: digest.source.sha256, lineFeeds: digest.lineEnds > 0,
                                                                      format: chosen ?? StatementFormat.detect(bytes: head),
                                                                      csvMapping: mapping, sourceAccount: configuration.bank?.sourceAccount) {
                        statements = streamed
                    } else {
                        if digest != nil { bytes = try Output.readFile(file) }
                        statements = try StatementFile(bytes: bytes, file: file, format: chosen, csvMapping: mapping,
                                                       sourceAccount: configuration.bank?.sourceAccount)
                    }
                    bytes = [] // read: not held while the statements are stored and matched
                    if !statements.openingsNeeded.isEmpty {
                        try statements.deriveOpenings(from: StatementFile.StoredClosing.from(try await ledger.statementChecks(period: nil)))
                    }
                    notes += statements.derivationNotes
                    let source = SourceFile(path: file, sha256: statements.sha256)
                    let entries = statements.entryCount
                    let run = try await ledger.reconcile(
                        statements: statements.records(sourceFile: file), alreadyStored: 0, file: source,
                        actor: actor, today: today, missingAfterDays: settings.missingAfterDays,
                        utcOffsetHours: settings.utcOffsetHours, matching: matching, match: match)
                    runs.append((file, run))
                    bar.advance(by: entries)
                }
            }
            bar.finish()
            if json {
                return try Output.json(runs.map { ReconcileRunJSON(file: $0.file, run: $0.run) })
            }
            for note in notes { print(TerminalText.escaped(note)) }
            func count(_ n: Int, _ noun: String) -> String { "\(Output.grouped(n)) \(noun)\(n == 1 ? "" : "s")" }
            for (file, run) in runs {
                if run.statementsStored + run.statementsUnchanged > 0 {
                    print("\(TerminalText.escaped(file)): \(count(run.statementsStored, "statement")) stored, \(count(run.entriesStored, "entry").replacingOccurrences(of: "entrys", with: "entries"))"
                          + (run.statementsUnchanged > 0 ? "; \(run.statementsUnchanged) already stored (unchanged)" : ""))
                }
                print("matched \(count(run.matchedByReference, "debit")) by reference, \(Output.grouped(run.matchedWeakly)) weakly; "
                      + "exceptions: \(run.exceptionsOpened) new, \(run.exceptionsCleared) cleared"
                      + (run.transfersReturned > 0 ? "; \(count(run.transfersReturned, "transfer")) returned" : ""))
                if run.bankItemsReclassified > 0 {
                    print("\(count(run.bankItemsReclassified, "stored entry").replacingOccurrences(of: "entrys", with: "entries")) "
                          + "re-classified by the [reconciliation.bank_items] rules (audited)")
                }
                for (month, kinds) in run.bankItems.sorted(by: { $0.key < $1.key }) {
                    print("bank items \(month): " + BankItemKind.allCases.compactMap { kind in
                        kinds[kind.rawValue].map { "\(kind.rawValue) \($0.count) (\(Sen($0.amountSen)))" }
                    }.joined(separator: ", "))
                }
            }
            if let last = runs.last?.run {
                let open = last.openExceptions.values.reduce(0, +)
                if open == 0 {
                    print("no open exception.")
                } else {
                    print("\(open) open exception\(open == 1 ? "" : "s"): "
                          + last.openExceptions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                          + " — salurctl reconcile exceptions")
                }
            }
        }

        /// A regular file read a chunk at a time in `format` (nil when it is none, or a CSV without
        /// its mapping: then it is read whole, and refused).
        static func streamed(_ file: String, sha256: String, lineFeeds: Bool, format: StatementFormat?,
                             csvMapping: CSVStatementMapping?, sourceAccount: String?) throws -> StatementFile? {
            do {
                switch format {
                case .mt940:
                    return try StatementFile(mt940At: file, sha256: sha256, lineFeeds: lineFeeds, file: file, sourceAccount: sourceAccount)
                case .camt053:
                    return try StatementFile(camt053At: file, sha256: sha256, file: file, sourceAccount: sourceAccount)
                case .csv:
                    guard let csvMapping else { return nil }
                    return try StatementFile(csvAt: file, sha256: sha256, file: file, csvMapping: csvMapping, sourceAccount: sourceAccount)
                case nil:
                    return nil
                }
            } catch let error as InputFile.Failure {
                throw CLIError(error.description, exit: .dataError)
            }
        }

        /// The first bytes of `file`, enough to tell its format (`StatementFormat.detect`).
        static func head(of file: String) -> [UInt8] {
            guard let handle = FileHandle(forReadingAtPath: file) else { return [] }
            defer { try? handle.close() }
            return Array((try? handle.read(upToCount: 4096)) ?? Data())
        }

        /// The CSV mapping from `[reconciliation.csv]`, with the balances from the flags where the file has none.
        func csvMapping(_ configuration: SalurConfiguration) throws -> CSVStatementMapping {
            guard let columns = configuration.reconciliation.csv else {
                throw CLIError("a CSV statement needs its column mapping: add a [reconciliation.csv] table to \(configuration.file)", exit: .failure)
            }
            let account: CSVStatementMapping.Source<String>
            if let column = columns.accountNoColumn {
                account = .column(column)
            } else if let source = configuration.bank?.sourceAccount {
                account = .value(source)
            } else {
                throw CLIError("the CSV statement's account is unknown: set reconciliation.csv.account_no_column or bank.source_account", exit: .failure)
            }
            func balance(_ column: String?, _ flag: Int64?, _ name: String) throws -> CSVStatementMapping.Source<Rupiah> {
                if let flag { return .value(Rupiah(flag)) }
                if let column { return .column(column) }
                throw CLIError("a CSV statement needs --\(name)-balance (or reconciliation.csv.\(name)_balance_column)", exit: .usage)
            }
            let amounts: CSVStatementMapping.Amounts
            if let debit = columns.debit, let credit = columns.credit {
                amounts = .split(debit: debit, credit: credit)
            } else if let amount = columns.amount, let direction = columns.direction {
                amounts = .marked(amount: amount, direction: direction, debitMarker: columns.debitMarker, creditMarker: columns.creditMarker)
            } else {
                amounts = .signed(amount: columns.amount ?? "")
            }
            return CSVStatementMapping(
                date: columns.date, dateFormat: columns.dateFormat, bookingDate: columns.bookingDate, amounts: amounts,
                bankReference: columns.bankReference, customerReference: columns.customerReference, description: columns.description,
                counterpartyAccount: columns.counterpartyAccount, counterpartyName: columns.counterpartyName, accountNo: account,
                openingBalance: try balance(columns.openingBalanceColumn, openingBalance, "opening"),
                closingBalance: try balance(columns.closingBalanceColumn, closingBalance, "closing"),
                statementId: columns.statementIdColumn.map { .column($0) },
                openingDate: columns.openingDateColumn.map { .column($0) }, closingDate: columns.closingDateColumn.map { .column($0) },
                separator: Character(columns.separator), decimalSeparator: columns.decimalSeparator.first,
                thousandsSeparator: columns.thousandsSeparator.first, skipLeadingLines: columns.skipLeadingLines,
                skipTrailingLines: columns.skipTrailingLines)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Matched and unmatched transfers, and open exceptions by kind, with amounts.",
            discussion: "--period is the month the money moved, in the bank's time zone: transfers by settlement day, entries by value date.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A month, YYYY-MM.") var period: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let period, Period(period) == nil { throw ValidationError("--period must be YYYY-MM, found \(period)") }
        }

        func run() async throws {
            let configuration = try global.load()
            let status = try await configuration.openStore(access: .readOnly).store.reconciliationStatus(
                period: period.flatMap(Period.init), utcOffsetHours: configuration.reconciliation.utcOffsetHours)
            if json { return try Output.json(status) }
            print("reconciliation \(status.period.map { "for \($0)" } ?? "for all time") (bank time, UTC\(configuration.reconciliation.utcOffsetHours >= 0 ? "+" : "")\(configuration.reconciliation.utcOffsetHours))")
            print("settled transfers on a statement: \(Output.progress(status.matched, of: status.matched + status.unmatched))")
            print(Output.table(["", "COUNT", "AMOUNT"], [
                ["matched", Output.grouped(status.matched), Rupiah(status.matchedAmount).grouped],
                ["  of which weak", Output.grouped(status.matchedWeak), ""],
                ["unmatched (not on a statement yet)", Output.grouped(status.unmatched), Rupiah(status.unmatchedAmount).grouped],
                ["statement debits", Output.grouped(status.statementDebits), Rupiah(status.statementDebitAmount).grouped],
            ], right: [1, 2]))
            print("")
            print(Output.table(["BANK ITEMS (NO EXCEPTION)", "COUNT", "AMOUNT"], BankItemKind.allCases.map { kind in
                let total = status.bankItems[kind.rawValue] ?? BankItemTotal()
                return [kind.rawValue, Output.grouped(total.count), Sen(total.amountSen).grouped]
            }, right: [1, 2]))
            print("")
            print(Output.table(["OPEN EXCEPTIONS", "COUNT", "AMOUNT", "RESOLVED"], ExceptionKind.allCases.map { kind in
                [kind.rawValue, Output.grouped(status.exceptions[kind.rawValue] ?? 0),
                 Rupiah(status.exceptionAmounts[kind.rawValue] ?? 0).grouped, Output.grouped(status.resolved[kind.rawValue] ?? 0)]
            }, right: [1, 2, 3]))
            if status.flaggedRecipients > 0 {
                print("\n\(status.flaggedRecipients) recipient\(status.flaggedRecipients == 1 ? "" : "s") flagged (payment came back): salurctl reconcile flagged")
            }
        }
    }

    struct Exceptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List exceptions with their evidence (open ones unless --all).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Resolved and cleared ones too.") var all = false
        @Option(help: "Only this kind: \(ExceptionKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String?
        @Option(help: "Only this month (YYYY-MM) of the day the money moved.") var period: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let kind, ExceptionKind(rawValue: kind) == nil {
                throw ValidationError("--kind must be one of \(ExceptionKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let period, Period(period) == nil { throw ValidationError("--period must be YYYY-MM, found \(period)") }
        }

        func run() async throws {
            let filter = ExceptionFilter(states: all ? ["open", "resolved", "cleared"] : nil, kind: kind, period: period)
            let exceptions = try await global.store(.readOnly).reconciliationExceptions(filter)
            if json { return try Output.json(exceptions) }
            if exceptions.isEmpty {
                print(all ? "no exception." : "no open exception.")
                return
            }
            for x in exceptions {
                var head = "#\(x.id) \(x.kind) [\(x.state)] \(x.day) \(Rupiah(x.amount))"
                if let reference = x.partnerReferenceNo { head += " \(reference)" }
                if let name = x.name { head += " \(name)" }
                print(head)
                print("    \(x.evidence)")
                if let by = x.resolvedBy { print("    resolved by \(by) at \(x.resolvedAt ?? ""): \(x.resolution ?? "")") }
                if let at = x.clearedAt { print("    cleared at \(at)") }
            }
            if !all { print("\n\(exceptions.count) open; resolve one with: salurctl reconcile resolve ID --reason \"…\"") }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an open exception with a reason (audited).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The exception's id (salurctl reconcile exceptions).") var id: Int64
        @Option(help: "What was checked and done, e.g. \"bank fee, approved by Kabid\".") var reason: String
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let problem = Validate.reason(reason) { throw ValidationError("--reason: \(problem)") }
        }

        func run() async throws {
            let resolved = try await global.store().resolveReconciliationException(id: id, reason: reason, actor: OperatorIdentity.current())
            if json { return try Output.json(resolved) }
            print("exception \(resolved.id) (\(resolved.kind)) resolved by \(resolved.resolvedBy ?? ""): \(resolved.resolution ?? "")")
        }
    }

    struct Flagged: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recipients whose payment came back (open returned exceptions): check their account, then pay again or not.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let flagged = try await global.store(.readOnly).flaggedRecipients()
            if json { return try Output.json(flagged) }
            if flagged.isEmpty { print("no recipient flagged."); return }
            print(Output.table(["EXCEPTION", "NIK", "NAME", "ACCOUNT", "AMOUNT", "TRANSFER", "RETURNED"], flagged.map {
                [String($0.exceptionID), $0.nik ?? "", $0.name, $0.accountNo, Rupiah($0.amount).grouped, $0.partnerReferenceNo, $0.returnedOn]
            }, right: [4]))
        }
    }
}

/// What a refused statement means for the exit code: bad input data (65), with the file, line and reason.
enum Refusals {
    static func asDataErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StatementParseError {
            throw CLIError("\(error)\nnothing was stored.", exit: .dataError)
        } catch let error as StatementBalanceError {
            throw CLIError("\(error)\nnothing was stored.", exit: .dataError)
        } catch let error as StatementRefusal {
            throw CLIError(error.description, exit: .dataError)
        } catch let error as CSVStatementMappingError {
            throw CLIError("[reconciliation.csv]: \(error)", exit: .failure)
        }
    }
}

/// One file's run in `--json` output.
private struct ReconcileRunJSON: Encodable {
    let file: String
    let run: ReconciliationRun
}
