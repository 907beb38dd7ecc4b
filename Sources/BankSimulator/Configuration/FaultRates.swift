/// How often each fault is injected, in percent (0–100) of well-formed, authenticated transfer
/// requests. Each rate is rolled independently; when several fire for one request, the first in
/// `SimulatedFault.allCases` order wins.
public struct FaultRates: Sendable, Equatable {
    /// `--fail-before-rate`.
    public var failBefore: Int
    /// `--drop-before-rate`.
    public var dropBefore: Int
    /// `--timeout-after-rate`.
    public var timeoutAfter: Int
    /// `--drop-after-rate`.
    public var dropAfter: Int
    /// `--throttle-rate`.
    public var throttle: Int
    /// `--pending-rate`.
    public var pending: Int
    /// `--garbage-rate`.
    public var garbage: Int
    /// `--wrong-content-type-rate`.
    public var wrongContentType: Int
    /// `--huge-body-rate`.
    public var hugeBody: Int
    /// `--bad-signature-rate`.
    public var badSignature: Int

    /// No faults: every request is answered as a healthy bank would.
    public static let none = FaultRates()

    /// Rates in percent; every rate left out is 0.
    public init(
        failBefore: Int = 0, dropBefore: Int = 0, timeoutAfter: Int = 0, dropAfter: Int = 0,
        throttle: Int = 0, pending: Int = 0, garbage: Int = 0, wrongContentType: Int = 0,
        hugeBody: Int = 0, badSignature: Int = 0
    ) {
        self.failBefore = failBefore
        self.dropBefore = dropBefore
        self.timeoutAfter = timeoutAfter
        self.dropAfter = dropAfter
        self.throttle = throttle
        self.pending = pending
        self.garbage = garbage
        self.wrongContentType = wrongContentType
        self.hugeBody = hugeBody
        self.badSignature = badSignature
    }

    /// Only `fault`, at `percent`.
    public static func only(_ fault: SimulatedFault, percent: Int = 100) -> FaultRates {
        var rates = FaultRates()
        rates[fault] = percent
        return rates
    }

    /// The rate of one fault.
    public subscript(fault: SimulatedFault) -> Int {
        get {
            switch fault {
            case .failBefore: failBefore
            case .dropBefore: dropBefore
            case .timeoutAfter: timeoutAfter
            case .dropAfter: dropAfter
            case .throttle: throttle
            case .pending: pending
            case .garbage: garbage
            case .wrongContentType: wrongContentType
            case .hugeBody: hugeBody
            case .badSignature: badSignature
            }
        }
        set {
            switch fault {
            case .failBefore: failBefore = newValue
            case .dropBefore: dropBefore = newValue
            case .timeoutAfter: timeoutAfter = newValue
            case .dropAfter: dropAfter = newValue
            case .throttle: throttle = newValue
            case .pending: pending = newValue
            case .garbage: garbage = newValue
            case .wrongContentType: wrongContentType = newValue
            case .hugeBody: hugeBody = newValue
            case .badSignature: badSignature = newValue
            }
        }
    }

    /// Throws `BankSimulatorError.invalidSetting` for a rate outside 0–100.
    public func validate() throws(BankSimulatorError) {
        for fault in SimulatedFault.allCases where !(0...100).contains(self[fault]) {
            throw .invalidSetting(
                name: "--\(fault.rawValue)-rate",
                reason: "\(self[fault]) is not a percentage; give a whole number from 0 to 100")
        }
    }
}
