@testable import SalurSQLite
import Testing
@testable import SalurCore
@testable import SalurStore

/// `AccountHold`: the one rule both stores apply when an account check is recorded and when an
/// attempt is claimed.
@Suite("Account hold rule")
struct AccountHoldRuleTests {
    static let stamp = "2026-11-23T02:00:00.000Z"

    @Test("only a payable or absent check lets a transfer go", arguments: AccountCheck.allCases)
    func holdsExactlyTheNotPayable(_ check: AccountCheck) {
        let hold = AccountHold(check: check, status: "Rekening tidak aktif", accountNo: "001100001234", checkedAt: Self.stamp)
        #expect((hold == nil) == check.payable)
        #expect(AccountHold(check: nil, status: nil, accountNo: "001100001234", checkedAt: nil) == nil, "never checked: not held")
    }

    @Test("the reason names the masked account, the bank's words, when, and what to do")
    func reason() throws {
        let hold = try #require(AccountHold(check: .inactive, status: "Rekening tidak aktif", accountNo: "001100001234", checkedAt: Self.stamp))
        #expect(hold.reason.hasPrefix("account ********1234 reported inactive by the bank (status \"Rekening tidak aktif\") at \(Self.stamp); not sent: "))
        #expect(hold.reason.contains("salurctl accounts recheck"))
        #expect(!hold.reason.contains("001100001234"))
        let odd = try #require(AccountHold(check: .unrecognised, status: "Status 9", accountNo: "001100001234", checkedAt: Self.stamp))
        #expect(odd.reason.contains("status Salur does not recognise (status \"Status 9\")"))
        #expect(odd.reason.contains("[bank.account_status]"))
    }

    @Test("a not-payable check holds every transfer that has not left, and nothing that has",
          arguments: TransferState.allCases)
    func holds(_ state: TransferState) throws {
        let hold = try #require(AccountHold(check: .unknown, status: nil, accountNo: "001100001234", checkedAt: Self.stamp))
        let move = AccountHold.move(from: state, heldForAccount: false, batchState: .posting, hold: hold)
        if [.awaitingApproval, .approved, .retryWait, .held].contains(state) {
            #expect(move == AccountHold.Move(state: .held, holdReason: hold.reason))
        } else {
            #expect(move == nil, "\(state) is on the wire, in doubt or finished: an account check does not move it")
        }
    }

    @Test("a payable check releases only what an account hold held, to where its batch stands")
    func releases() {
        let payable: AccountHold? = nil
        #expect(AccountHold.move(from: .held, heldForAccount: true, batchState: .posting, hold: payable) == .init(state: .approved, holdReason: nil))
        #expect(AccountHold.move(from: .held, heldForAccount: true, batchState: .approved, hold: payable) == .init(state: .approved, holdReason: nil))
        #expect(AccountHold.move(from: .held, heldForAccount: true, batchState: .awaitingApproval, hold: payable)
                == .init(state: .awaitingApproval, holdReason: nil))
        #expect(AccountHold.move(from: .held, heldForAccount: true, batchState: .held, hold: payable) == .init(state: .held, holdReason: nil),
                "a batch an operator holds stays held")
        #expect(AccountHold.move(from: .held, heldForAccount: false, batchState: .held, hold: payable) == nil)
        #expect(AccountHold.move(from: .approved, heldForAccount: false, batchState: .posting, hold: payable) == nil)
    }
}
