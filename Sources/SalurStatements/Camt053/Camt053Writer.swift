internal import SalurCore

/// Writes statements as one camt.053.001.02 document that `Camt053Parser` reads back to the same
/// statements.
///
/// Accounts go to `Acct/Id/Othr/Id`; the counterparty to `Cdtr`/`CdtrAcct` for a debit and
/// `Dbtr`/`DbtrAcct` for a credit; the description to `RmtInf/Ustrd`, split at 140 characters.
/// Descriptions and names are one line (tabs and line breaks become spaces), as the parser reads them.
/// `ElctrncSeqNb` is a number in the schema, so a sequence that is not one (MT940's `00001/001`)
/// is left out. Characters XML 1.0 cannot carry (most C0 controls) become U+FFFD.
public enum Camt053Writer {
    /// The namespace written.
    public static let namespace = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"

    /// The XML text. `messageId` goes to `GrpHdr/MsgId` (default: the first statement's id).
    public static func write(_ statements: [Statement], messageId: String? = nil) -> String {
        var xml = XMLText()
        xml.raw(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        xml.open("Document", attributes: #" xmlns="\#(namespace)""#)
        xml.open("BkToCstmrStmt")
        xml.open("GrpHdr")
        xml.leaf("MsgId", nonEmpty(messageId) ?? nonEmpty(statements.first?.statementId) ?? "SALUR")
        xml.leaf("CreDtTm", (statements.map(\.closingDate).max()?.description ?? "2000-01-01") + "T00:00:00")
        xml.close("GrpHdr")
        for statement in statements { write(statement, to: &xml) }
        xml.close("BkToCstmrStmt")
        xml.close("Document")
        return xml.text
    }

    private static func write(_ statement: Statement, to xml: inout XMLText) {
        xml.open("Stmt")
        xml.leaf("Id", statement.statementId)
        if let sequence = statement.sequence, Camt053Syntax.isSequenceNumber(sequence) {
            xml.leaf("ElctrncSeqNb", sequence)
        }
        xml.leaf("CreDtTm", "\(statement.closingDate)T00:00:00")
        xml.open("Acct")
        xml.open("Id"); xml.open("Othr"); xml.leaf("Id", statement.accountNo); xml.close("Othr"); xml.close("Id")
        xml.leaf("Ccy", statement.currency)
        xml.close("Acct")
        if statement.hasOpeningBalance {
            balance("OPBD", statement.openingBalanceSen, statement.openingDate, statement.currency, to: &xml)
        }
        balance("CLBD", statement.closingBalanceSen, statement.closingDate, statement.currency, to: &xml)
        if let available = statement.closingAvailableBalanceSen {
            balance("CLAV", available, statement.closingDate, statement.currency, to: &xml)
        }
        for entry in statement.entries { write(entry, currency: statement.currency, to: &xml) }
        xml.close("Stmt")
    }

    private static func balance(_ code: String, _ amount: Sen, _ date: CalendarDate, _ currency: String,
                                to xml: inout XMLText) {
        xml.open("Bal")
        xml.open("Tp"); xml.open("CdOrPrtry"); xml.leaf("Cd", code); xml.close("CdOrPrtry"); xml.close("Tp")
        xml.leaf("Amt", AmountText.format(amount, decimalSeparator: "."), attributes: " Ccy=\"\(XMLText.escape(currency))\"")
        xml.leaf("CdtDbtInd", amount.value < 0 ? "DBIT" : "CRDT")
        xml.open("Dt"); xml.leaf("Dt", date.description); xml.close("Dt")
        xml.close("Bal")
    }

    private static func write(_ entry: StatementEntry, currency: String, to xml: inout XMLText) {
        xml.open("Ntry")
        xml.leaf("Amt", AmountText.format(entry.amountSen, decimalSeparator: "."), attributes: " Ccy=\"\(XMLText.escape(currency))\"")
        xml.leaf("CdtDbtInd", entry.direction == .credit ? "CRDT" : "DBIT")
        if entry.isReversal { xml.leaf("RvslInd", "true") }
        xml.leaf("Sts", entry.status == .booked ? "BOOK" : "PDNG")
        if let booking = entry.bookingDate { xml.open("BookgDt"); xml.leaf("Dt", booking.description); xml.close("BookgDt") }
        xml.open("ValDt"); xml.leaf("Dt", entry.valueDate.description); xml.close("ValDt")
        if let reference = nonEmpty(entry.bankReference) { xml.leaf("AcctSvcrRef", reference) }
        if let code = nonEmpty(entry.transactionCode) {
            xml.open("BkTxCd"); xml.open("Prtry"); xml.leaf("Cd", code); xml.close("Prtry"); xml.close("BkTxCd")
        }

        let customerReference = nonEmpty(entry.customerReference)
        let name = nonEmpty(entry.counterpartyName.map(MT940Syntax.spacingControls))
        let account = nonEmpty(entry.counterpartyAccount)
        let description = nonEmpty(MT940Syntax.spacingControls(entry.description))
        if customerReference != nil || name != nil || account != nil || description != nil {
            xml.open("NtryDtls"); xml.open("TxDtls")
            if let customerReference { xml.open("Refs"); xml.leaf("EndToEndId", customerReference); xml.close("Refs") }
            if name != nil || account != nil {
                let (party, partyAccount) = entry.direction == .debit ? ("Cdtr", "CdtrAcct") : ("Dbtr", "DbtrAcct")
                xml.open("RltdPties")
                if let name { xml.open(party); xml.leaf("Nm", name); xml.close(party) }
                if let account {
                    xml.open(partyAccount); xml.open("Id"); xml.open("Othr"); xml.leaf("Id", account)
                    xml.close("Othr"); xml.close("Id"); xml.close(partyAccount)
                }
                xml.close("RltdPties")
            }
            if let description {
                xml.open("RmtInf")
                for piece in ustrd.wrap(description) { xml.leaf("Ustrd", piece) }
                xml.close("RmtInf")
            }
            xml.close("TxDtls"); xml.close("NtryDtls")
        }
        xml.close("Ntry")
    }

    private static let ustrd = TextWrap(
        firstWidth: Camt053Syntax.ustrdWidth, width: Camt053Syntax.ustrdWidth,
        isValidLine: { line, _ in
            guard let first = line.first, let last = line.last else { return false }
            return !XMLTree.isSpace(first) && !XMLTree.isSpace(last)
        },
        canStartContinuation: { scalars in scalars.first.map { !XMLTree.isSpace($0) } ?? false })

    /// The value as the parser would read it back (trimmed), or nil when that is empty.
    private static func nonEmpty(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = XMLTree.trimmed(value)
        return trimmed.isEmpty ? nil : trimmed
    }
}
