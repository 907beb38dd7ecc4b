/// Reads the `--accounts` file: a CSV with the header `account_no,name,status`, one account per row,
/// status `active`, `inactive` or `unknown`. Fields may be double-quoted (RFC 4180), so a name may
/// hold a comma.
public enum AccountsCSV {
    /// Every account in `text`, or the first bad row. `file` names the file in errors.
    public static func parse(_ text: String, file: String = "accounts.csv") throws(BankSimulatorError) -> [BankAccount] {
        var accounts: [BankAccount] = []
        var seen: Set<String> = []
        var sawHeader = false
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = offset + 1
            let content = Substring(rawLine)
            if content.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let fields = splitFields(content) else {
                throw .badAccountsRow(file: file, line: line, reason: "unbalanced quotes")
            }
            let trimmed = fields.map { $0.trimmingEdges(of: " \t") }
            if !sawHeader {
                guard trimmed.map({ $0.lowercased() }) == ["account_no", "name", "status"] else {
                    throw .badAccountsRow(file: file, line: line, reason: "header must be account_no,name,status")
                }
                sawHeader = true
                continue
            }
            guard trimmed.count == 3 else {
                throw .badAccountsRow(file: file, line: line, reason: "expected 3 fields, found \(trimmed.count)")
            }
            let (number, name, statusText) = (trimmed[0], trimmed[1], trimmed[2])
            guard BankAccount.isWellFormed(number) else {
                throw .badAccountsRow(file: file, line: line, reason: "account_no: \"\(number)\" is not 6 to 20 digits")
            }
            guard !name.isEmpty else {
                throw .badAccountsRow(file: file, line: line, reason: "name: empty")
            }
            guard let status = BankAccount.Status(rawValue: statusText.lowercased()) else {
                throw .badAccountsRow(file: file, line: line, reason: "status: \"\(statusText)\" is not active, inactive or unknown")
            }
            guard seen.insert(number).inserted else {
                throw .badAccountsRow(file: file, line: line, reason: "account_no: \(number) is listed twice")
            }
            accounts.append(BankAccount(accountNo: number, name: name, status: status))
        }
        guard sawHeader else { throw .badAccountsRow(file: file, line: 1, reason: "empty file: expected the header account_no,name,status") }
        return accounts
    }

    private static func splitFields(_ line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}
