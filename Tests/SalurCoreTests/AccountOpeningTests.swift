import Testing
import SalurCore

/// `not_requested → requested → opened(account_no) | rejected(reason)`; a corrected rejection goes back.
@Suite("AccountOpening")
struct AccountOpeningTests {
    static let opened = AccountOpening.opened(accountNo: "001100000001")
    static let rejected = AccountOpening.rejected(reason: "Data KTP tidak lengkap")

    @Test func stateNames() {
        #expect(AccountOpening.notRequested.state.rawValue == "not_requested")
        #expect(AccountOpening.requested.state.rawValue == "requested")
        #expect(Self.opened.state == .opened)
        #expect(Self.rejected.state == .rejected)
        #expect(AccountOpeningState(rawValue: "not_requested") == .notRequested)
        #expect(AccountOpeningState(rawValue: "notRequested") == nil)
    }

    @Test func requestOnlyFromNotRequested() throws {
        #expect(try AccountOpening.notRequested.requestSent() == .requested)
        for state in [AccountOpening.requested, Self.opened, Self.rejected] {
            #expect(throws: TransitionError(from: state.state.rawValue, event: "export request")) { try state.requestSent() }
        }
    }

    @Test("the bank answers a request", arguments: [opened, rejected])
    func bankAnswersRequest(answer: AccountOpening) throws {
        #expect(try AccountOpening.requested.bankAnswered(answer) == answer)
    }

    @Test func sameAnswerTwiceIsNoChange() throws {
        #expect(try Self.opened.bankAnswered(Self.opened) == Self.opened)
        #expect(try Self.rejected.bankAnswered(Self.rejected) == Self.rejected)
    }

    @Test("illegal answers are refused", arguments: [
        (AccountOpening.notRequested, opened),
        (.notRequested, rejected),
        (opened, .opened(accountNo: "001100000002")),   // opened twice with a different account
        (opened, rejected),
        (rejected, opened),
        (rejected, .rejected(reason: "Duplikat nasabah")),
        (.requested, .requested),
        (.requested, .notRequested),
    ])
    func illegalAnswers(from: AccountOpening, answer: AccountOpening) {
        #expect(throws: TransitionError(from: from.state.rawValue, event: "bank result \(answer.state.rawValue)")) {
            try from.bankAnswered(answer)
        }
    }

    @Test func correctedDataReopensOnlyARejection() {
        #expect(Self.rejected.dataCorrected() == .notRequested)
        #expect(AccountOpening.notRequested.dataCorrected() == .notRequested)
        #expect(AccountOpening.requested.dataCorrected() == .requested)
        #expect(Self.opened.dataCorrected() == Self.opened)
    }

    @Test func transitionErrorSaysWhat() {
        #expect(TransitionError(from: "not_requested", event: "bank result opened").description
            == "not allowed: bank result opened while not_requested")
    }
}
