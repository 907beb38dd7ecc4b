public import SalurCore

/// How a bank's CSV export (mutasi rekening) maps onto a `Statement`: which column holds what,
/// and how dates and amounts are written. Column names match the header case-insensitively.
///
/// Columns the mapping does not name are allowed and ignored (banks add running balances and
/// branch codes). The statement-level values (account, opening and closing balance, optionally
/// id and dates) come either from a column — which must then hold the same value on every row
/// that fills it — or are given here.
public struct CSVStatementMapping: Sendable, Hashable {
    /// Where the direction and the amount of an entry are.
    public enum Amounts: Sendable, Hashable {
        /// An amount column and a marker column (`D`/`K`, `DB`/`CR`), markers compared ignoring
        /// case. When both name the same column, the marker is the amount's first or last word,
        /// as in BCA's `1,500,000.00 DB`.
        case marked(amount: String, direction: String, debitMarker: String, creditMarker: String)
        /// A debit column and a credit column; each row fills exactly one (empty or zero is unfilled).
        case split(debit: String, credit: String)
        /// One column with a sign: negative is a debit, positive a credit.
        case signed(amount: String)
    }

    /// A statement-level value: from a column, or given.
    public enum Source<Value: Sendable & Hashable>: Sendable, Hashable {
        /// Read from this column.
        case column(String)
        /// Given by the caller (from the file name, the operator, the bank's portal).
        case value(Value)
    }

    /// Value date column (tanggal valuta, or the only date the bank gives).
    public var date: String
    /// Layout of every date column, e.g. `dd/MM/yyyy` or `yyyy-MM-dd`.
    public var dateFormat: String
    /// Booking date column, when the bank gives one beside the value date.
    public var bookingDate: String?
    /// Direction and amount.
    public var amounts: Amounts
    /// The bank's reference column.
    public var bankReference: String
    /// The account owner's reference column, when there is one.
    public var customerReference: String?
    /// Free-text column (keterangan).
    public var description: String
    /// The other side's account column, when there is one.
    public var counterpartyAccount: String?
    /// The other side's name column, when there is one.
    public var counterpartyName: String?
    /// The statement's account number.
    public var accountNo: Source<String>
    /// Balance before the first row (saldo awal), signed.
    public var openingBalance: Source<Rupiah>
    /// Balance after the last row (saldo akhir), signed.
    public var closingBalance: Source<Rupiah>
    /// The statement's id; nil uses the file name.
    public var statementId: Source<String>?
    /// Date of the opening balance; nil uses the earliest entry date.
    public var openingDate: Source<CalendarDate>?
    /// Date of the closing balance; nil uses the latest entry date.
    public var closingDate: Source<CalendarDate>?
    /// Field separator: `,` `;` tab or `|`.
    public var separator: Character
    /// Decimal separator of amounts, `,` or `.`; nil when amounts have no decimals.
    public var decimalSeparator: Character?
    /// Grouping separator of amounts (`.` in `1.500.000,00`), if the bank groups digits.
    public var thousandsSeparator: Character?
    /// Lines before the header to ignore (a bank's title block).
    public var skipLeadingLines: Int
    /// Non-blank lines at the end to ignore (a bank's totals block).
    public var skipTrailingLines: Int

    /// A mapping; the defaults fit a comma-separated file with a decimal point and no digit grouping.
    public init(date: String, dateFormat: String, bookingDate: String? = nil, amounts: Amounts,
                bankReference: String, customerReference: String? = nil, description: String,
                counterpartyAccount: String? = nil, counterpartyName: String? = nil,
                accountNo: Source<String>, openingBalance: Source<Rupiah>, closingBalance: Source<Rupiah>,
                statementId: Source<String>? = nil, openingDate: Source<CalendarDate>? = nil,
                closingDate: Source<CalendarDate>? = nil, separator: Character = ",",
                decimalSeparator: Character? = ".", thousandsSeparator: Character? = nil,
                skipLeadingLines: Int = 0, skipTrailingLines: Int = 0) {
        self.date = date
        self.dateFormat = dateFormat
        self.bookingDate = bookingDate
        self.amounts = amounts
        self.bankReference = bankReference
        self.customerReference = customerReference
        self.description = description
        self.counterpartyAccount = counterpartyAccount
        self.counterpartyName = counterpartyName
        self.accountNo = accountNo
        self.openingBalance = openingBalance
        self.closingBalance = closingBalance
        self.statementId = statementId
        self.openingDate = openingDate
        self.closingDate = closingDate
        self.separator = separator
        self.decimalSeparator = decimalSeparator
        self.thousandsSeparator = thousandsSeparator
        self.skipLeadingLines = skipLeadingLines
        self.skipTrailingLines = skipTrailingLines
    }

    /// Everything wrong with the mapping itself; empty when it can be used.
    public var problems: [String] {
        var problems: [String] = []
        if ![",", ";", "\t", "|"].contains(separator) { problems.append("separator must be , ; tab or |, found \"\(separator)\"") }
        if let decimal = decimalSeparator, decimal != ",", decimal != "." {
            problems.append("decimalSeparator must be , or ., found \"\(decimal)\"")
        }
        if let thousands = thousandsSeparator {
            if ![".", ",", " ", "'"].contains(thousands) { problems.append("thousandsSeparator must be . , space or ', found \"\(thousands)\"") }
            if thousands == decimalSeparator { problems.append("thousandsSeparator and decimalSeparator are both \"\(thousands)\"") }
        }
        if let problem = DatePattern.problem(dateFormat) { problems.append(problem) }
        for (role, name) in columnRoles where name.trimmingSpaces.isEmpty {
            problems.append("the \(role) column name is empty")
        }
        switch amounts {
        case .marked(_, _, let debit, let credit):
            if debit.trimmingSpaces.isEmpty || credit.trimmingSpaces.isEmpty { problems.append("debit and credit markers must not be empty") }
            if debit.trimmingSpaces.lowercased() == credit.trimmingSpaces.lowercased() { problems.append("debit and credit markers are the same (\"\(debit)\")") }
        case .split(let debit, let credit):
            if debit.trimmingSpaces.lowercased() == credit.trimmingSpaces.lowercased() { problems.append("debit and credit columns are the same (\"\(debit)\")") }
        case .signed:
            break
        }
        if skipLeadingLines < 0 || skipTrailingLines < 0 { problems.append("lines to skip must not be negative") }
        return problems
    }

    /// The columns that hold statement-level values.
    var statementColumns: [String] {
        var names: [String] = []
        for source in [accountNo, statementId] { if case .column(let name)? = source { names.append(name) } }
        for source in [openingBalance, closingBalance] { if case .column(let name) = source { names.append(name) } }
        for source in [openingDate, closingDate] { if case .column(let name)? = source { names.append(name) } }
        return names
    }

    /// Every column the mapping names, with what it is for.
    var columnRoles: [(role: String, name: String)] {
        var roles: [(String, String)] = [("date", date), ("bankReference", bankReference), ("description", description)]
        switch amounts {
        case .marked(let amount, let direction, _, _): roles += [("amount", amount), ("direction", direction)]
        case .split(let debit, let credit): roles += [("debitAmount", debit), ("creditAmount", credit)]
        case .signed(let amount): roles.append(("amount", amount))
        }
        let optional: [(String, String?)] = [("bookingDate", bookingDate), ("customerReference", customerReference),
                                              ("counterpartyAccount", counterpartyAccount), ("counterpartyName", counterpartyName)]
        for case let (role, name?) in optional { roles.append((role, name)) }
        if case .column(let name) = accountNo { roles.append(("accountNo", name)) }
        if case .column(let name) = openingBalance { roles.append(("openingBalance", name)) }
        if case .column(let name) = closingBalance { roles.append(("closingBalance", name)) }
        if case .column(let name)? = statementId { roles.append(("statementId", name)) }
        if case .column(let name)? = openingDate { roles.append(("openingDate", name)) }
        if case .column(let name)? = closingDate { roles.append(("closingDate", name)) }
        return roles
    }
}
