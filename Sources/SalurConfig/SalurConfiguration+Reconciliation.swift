public import SalurCore
import Foundation

extension SalurConfiguration {
    /// `[reconciliation]`: how bank statements are read and matched.
    public struct Reconciliation: Sendable, Equatable {
        /// A settled transfer on no statement this many days after settling is an exception.
        public var missingAfterDays: Int = 3
        /// The bank's time zone, hours from UTC (7 WIB, 8 WITA, 9 WIT): statement dates are the
        /// bank's days, transfer times are stored in UTC.
        public var utcOffsetHours: Int = 7
        /// `[reconciliation.csv]`: the bank's CSV export, when it sends one.
        public var csv: CSVColumns?
        /// `[reconciliation.bank_items]`: description rules for the bank's own items, `"TEXT" = "kind"`
        /// (`"PAJAK JASA GIRO" = "interest_tax"`). An entry whose description contains the text
        /// (ignoring case; the longest text that fits wins) is that kind of bank item: it pays no
        /// transfer and opens no exception. Kinds: interest, interest_tax, account_fee, transfer_fee.
        /// The statement's own codes (MT940 `NINT`, camt.053 `BkTxCd`) are recognised without rules.
        public var bankItems: [BankItemRule]

        public init(missingAfterDays: Int = 3, utcOffsetHours: Int = 7, csv: CSVColumns? = nil, bankItems: [BankItemRule] = []) {
            self.missingAfterDays = missingAfterDays
            self.utcOffsetHours = utcOffsetHours
            self.csv = csv
            self.bankItems = bankItems
        }
    }

    /// `[reconciliation.csv]`: which column of the bank's CSV statement holds what. Column names
    /// match the header ignoring case.
    public struct CSVColumns: Sendable, Equatable {
        /// Value date column (tanggal), and how dates are written (`dd/MM/yyyy`, `yyyy-MM-dd`, …).
        public var date: String
        public var dateFormat: String
        public var bookingDate: String?
        /// Amounts: `debit` + `credit` columns; or `amount` + `direction` with markers
        /// (`D`/`K`, `DB`/`CR`); or `amount` alone, signed (negative is a debit).
        public var amount: String?
        public var direction: String?
        public var debitMarker: String
        public var creditMarker: String
        public var debit: String?
        public var credit: String?
        public var bankReference: String
        public var customerReference: String?
        public var description: String
        public var counterpartyAccount: String?
        public var counterpartyName: String?
        /// Statement-level columns; without them the account is `bank.source_account`, the
        /// balances come from `salurctl reconcile --opening-balance/--closing-balance`, the id
        /// from the file name and the dates from the entries.
        public var accountNoColumn: String?
        public var statementIdColumn: String?
        public var openingBalanceColumn: String?
        public var closingBalanceColumn: String?
        public var openingDateColumn: String?
        public var closingDateColumn: String?
        /// `,` `;` tab or `|`.
        public var separator: String
        /// `.` or `,`; empty when amounts have no decimals.
        public var decimalSeparator: String
        /// Digit grouping (`.` in `1.500.000,00`); empty for none.
        public var thousandsSeparator: String
        public var skipLeadingLines: Int
        public var skipTrailingLines: Int
    }

    /// Reads `[reconciliation.bank_items]`: each key a description text, each value a kind.
    static func readBankItems(_ table: ConfigReader) -> [BankItemRule] {
        let kinds = BankItemKind.allCases.map(\.rawValue)
        var rules: [BankItemRule] = []
        for text in table.keys() {
            let value = table.oneOf(text, default: "", allowed: kinds)
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                table.fail(text, "the description text is empty: it would match every entry")
                continue
            }
            if let kind = BankItemKind(rawValue: value) { rules.append(BankItemRule(text: text, kind: kind)) }
        }
        return rules
    }

    /// Reads `[reconciliation]` (every key optional).
    static func readReconciliation(_ root: ConfigReader) -> Reconciliation {
        let r = root.table("reconciliation")
        var settings = Reconciliation(
            missingAfterDays: r.int("missing_after_days", default: 3, range: 0...366),
            utcOffsetHours: r.int("utc_offset_hours", default: 7, range: -12...14))
        settings.bankItems = readBankItems(r.table("bank_items"))
        let c = r.table("csv")
        guard c.isPresent else { return settings }
        let columns = CSVColumns(
            date: c.string("date", required: true) ?? "",
            dateFormat: c.string("date_format", required: true) ?? "",
            bookingDate: c.string("booking_date"),
            amount: c.string("amount"),
            direction: c.string("direction"),
            debitMarker: c.string("debit_marker") ?? "D",
            creditMarker: c.string("credit_marker") ?? "K",
            debit: c.string("debit"),
            credit: c.string("credit"),
            bankReference: c.string("bank_reference", required: true) ?? "",
            customerReference: c.string("customer_reference"),
            description: c.string("description", required: true) ?? "",
            counterpartyAccount: c.string("counterparty_account"),
            counterpartyName: c.string("counterparty_name"),
            accountNoColumn: c.string("account_no_column"),
            statementIdColumn: c.string("statement_id_column"),
            openingBalanceColumn: c.string("opening_balance_column"),
            closingBalanceColumn: c.string("closing_balance_column"),
            openingDateColumn: c.string("opening_date_column"),
            closingDateColumn: c.string("closing_date_column"),
            separator: c.oneOf("separator", default: ",", allowed: [",", ";", "\t", "|"]),
            decimalSeparator: c.oneOf("decimal_separator", default: ".", allowed: [".", ",", ""]),
            thousandsSeparator: c.oneOf("thousands_separator", default: "", allowed: ["", ".", ",", " ", "'"]),
            skipLeadingLines: c.int("skip_leading_lines", default: 0, range: 0...1_000),
            skipTrailingLines: c.int("skip_trailing_lines", default: 0, range: 0...1_000))
        let split = columns.debit != nil || columns.credit != nil
        if split {
            if columns.debit == nil || columns.credit == nil { c.fail(columns.debit == nil ? "debit" : "credit", "debit and credit columns go together") }
            if columns.amount != nil || columns.direction != nil {
                c.fail("amount", "give either debit + credit columns, or an amount column (with direction for a marker column), not both")
            }
        } else if columns.amount == nil {
            c.fail("amount", "required: the amount column (or debit + credit columns)")
        }
        if columns.direction != nil, columns.debitMarker.lowercased() == columns.creditMarker.lowercased() {
            c.fail("credit_marker", "must differ from debit_marker (\"\(columns.debitMarker)\")")
        }
        if !columns.thousandsSeparator.isEmpty, columns.thousandsSeparator == columns.decimalSeparator {
            c.fail("thousands_separator", "must differ from decimal_separator")
        }
        settings.csv = columns
        return settings
    }
}
