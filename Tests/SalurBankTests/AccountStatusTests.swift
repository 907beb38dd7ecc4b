import Foundation
@testable import SalurBank
import Testing

/// SNAP's `beneficiaryAccountStatus` (service 15) is optional free text; these are wordings banks
/// and their published samples use. Salur must read them as the bank means them.
@Suite("Account inquiry status wordings")
struct AccountStatusTests {
    /// Active wordings: ASPI's own sample answer ("Rekening aktif"), English SDK samples ("Active"),
    /// upper-case core-banking text, and no status at all (the field is optional).
    static let active: [String?] = [
        "Rekening aktif", "REKENING AKTIF", "Rekening Aktif", "active", "Active", "ACTIVE", "aktif", "AKTIF", "Aktif",
        " Rekening aktif ", "Account Active", "Status: Aktif", "Normal", nil, "",
    ]

    /// Wordings that mean the account cannot be credited.
    static let notPayable: [String] = [
        "inactive", "Inactive", "INACTIVE", "tidak aktif", "Rekening tidak aktif", "REKENING TIDAK AKTIF", "Non Aktif", "Non-Aktif",
        "NON_AKTIF", "nonaktif", "Nasabah tidak aktif", "dormant", "Dormant", "Rekening Dormant", "pasif", "Rekening Pasif",
        "blocked", "BLOCKED", "diblokir", "Rekening Diblokir", "closed", "Closed", "tutup", "Rekening Ditutup",
        "frozen", "beku", "Rekening Beku", "Suspended",
    ]

    /// Neither: shown to the operator, never paid on a guess (single-letter core-banking codes included).
    static let unrecognised: [String] = ["A", "D", "01", "Rekening", "aktif sebagian", "Rekening aktif?x", "pending review", "Status 9"]

    @Test("active wordings of real banks read as active", arguments: active)
    func activeWordings(_ status: String?) {
        #expect(AccountStatusWordings.standard.read(status) == .active)
    }

    @Test("inactive, dormant, blocked, frozen and closed wordings read as not payable", arguments: notPayable)
    func notPayableWordings(_ status: String) {
        #expect(AccountStatusWordings.standard.read(status) == .notPayable)
    }

    @Test("other wordings are unrecognised: for the operator, not paid", arguments: unrecognised)
    func unrecognisedWordings(_ status: String) {
        #expect(AccountStatusWordings.standard.read(status) == .unrecognised)
    }

    @Test("a bank's own wordings ([bank.account_status]) add to the built-in ones, and may override one")
    func configured() {
        let wordings = AccountStatusWordings(active: ["A", "Rek. Aktif Penuh"], notPayable: ["D", "C", "normal"])
        #expect(wordings.read("A") == .active)
        #expect(wordings.read("rek aktif penuh") == .active)
        #expect(wordings.read("D") == .notPayable)
        #expect(wordings.read("c") == .notPayable)
        #expect(wordings.read("Normal") == .notPayable, "a wording the bank lists as not payable wins over the built-in one")
        #expect(wordings.read("Rekening aktif") == .active)
        #expect(wordings.read("B") == .unrecognised)
    }

    // MARK: The classifier, over whole answers

    static func answer(_ status: Int, _ body: String) -> SNAPClient.Exchange {
        SNAPClient.Exchange(result: .success(HTTPResponse(status: status, headers: ["content-type": "application/json"],
                                                          body: Array(body.utf8))), token: "t")
    }

    static func inquiry(status: String?) -> SNAPClient.Exchange {
        let field = status.map { #","beneficiaryAccountStatus":"\#($0)""# } ?? ""
        return answer(200, #"{"responseCode":"2001500","responseMessage":"Successful","beneficiaryAccountName":"Yohanes Bria","beneficiaryAccountNo":"001100000001""#
                      + field + #","beneficiaryAccountType":"D","currency":"IDR"}"#)
    }

    @Test("service 15: the standard's sample answer is an active account", arguments: [String?("Rekening aktif"), "Active", nil])
    func sampleAnswer(_ status: String?) {
        #expect(SNAPClassifier.account(Self.inquiry(status: status)) == .active(name: "Yohanes Bria"))
    }

    @Test("service 15: a not-payable wording is inactive, with the bank's text", arguments: ["Rekening tidak aktif", "Dormant", "DIBLOKIR"])
    func inactiveAnswer(_ status: String) {
        #expect(SNAPClassifier.account(Self.inquiry(status: status)) == .inactive(name: "Yohanes Bria", status: status))
    }

    @Test("service 15: an unknown wording is unrecognised, with the text; a configured one is read as configured")
    func unrecognisedAnswer() {
        #expect(SNAPClassifier.account(Self.inquiry(status: "A")) == .unrecognised(status: "A", name: "Yohanes Bria"))
        let configured = AccountStatusWordings(active: ["A"])
        #expect(SNAPClassifier.account(Self.inquiry(status: "A"), wordings: configured) == .active(name: "Yohanes Bria"))
    }

    @Test("service 15: 404 is an unknown account; a server error is no answer")
    func notFound() {
        #expect(SNAPClassifier.account(Self.answer(404, #"{"responseCode":"4041511","responseMessage":"Invalid Account"}"#)) == .unknown)
        guard case .unavailable = SNAPClassifier.account(Self.answer(500, #"{"responseCode":"5001500","responseMessage":"General Error"}"#)) else {
            Issue.record("a 500 must not be read as an answer about the account")
            return
        }
    }
}
