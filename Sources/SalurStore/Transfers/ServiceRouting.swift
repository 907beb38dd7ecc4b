package import SalurCore

/// The SNAP credit-transfer service that carries a transfer, chosen when it is queued and kept
/// for every attempt and status inquiry (service 36 asks with the same `serviceCode`).
package enum TransferService: String, Sendable, Codable, CaseIterable {
    /// 17: to an account at the same bank.
    case intrabank = "17"
    /// 18: to another bank, online (BI-FAST or GPN), capped per transfer by the bank.
    case interbank = "18"
    /// 22: to another bank through BI-RTGS: large amounts, settled during RTGS hours.
    case rtgs = "22"
    /// 23: to another bank through SKNBI: cleared in batches, so a 200 may say pending.
    case skn = "23"

    /// `interbank (SNAP 18)`
    package var label: String {
        switch self {
        case .intrabank: "intrabank (SNAP 17)"
        case .interbank: "interbank (SNAP 18)"
        case .rtgs: "RTGS (SNAP 22)"
        case .skn: "SKN (SNAP 23)"
        }
    }

    /// The stored service, or, for a transfer queued before services were stored, the one its
    /// kind always meant (17 or 18).
    package static func stored(_ code: String?, kind: TransferKind) -> TransferService {
        code.flatMap(TransferService.init(rawValue:)) ?? (kind == .intrabank ? .intrabank : .interbank)
    }
}

/// `[bank.routing]`: which service carries a transfer, from its amount and its beneficiary's bank.
///
/// A transfer within the bank goes by 17 (up to `intrabank_max`, when the bank sets one). A transfer
/// to another bank takes the first service of `interbank_order` whose limits admit its amount:
/// 18 up to `interbank_max` (and not to a bank in `no_bifast_banks`), 22 from `rtgs_min` (up to
/// `rtgs_max` when set), 23 up to `skn_max`. A transfer no service admits is refused when queued.
package struct ServiceRouting: Sendable, Equatable {
    /// The bank's cap on one intrabank transfer; nil: none.
    package var intrabankMax: Rupiah?
    /// BI-FAST's cap per transaction (Rp 250 juta), or the bank's lower one.
    package var interbankMax: Rupiah
    /// The smallest amount BI-RTGS takes (above Rp 100 juta).
    package var rtgsMin: Rupiah
    /// A cap on RTGS, when the bank sets one; nil: none.
    package var rtgsMax: Rupiah?
    /// SKNBI's cap per transaction (Rp 1 miliar).
    package var sknMax: Rupiah
    /// The services tried in order for a transfer to another bank.
    package var interbankOrder: [TransferService]
    /// Bank codes whose accounts 18 cannot reach (not on BI-FAST): their payees go by 22 or 23.
    package var noBIFastBanks: Set<String>

    /// The standard limits: BI-FAST Rp 250,000,000, RTGS from Rp 100,000,001, SKNBI up to
    /// Rp 1,000,000,000; 18, then 22, then 23.
    package static let standard = ServiceRouting(
        intrabankMax: nil, interbankMax: Rupiah(250_000_000), rtgsMin: Rupiah(100_000_001), rtgsMax: nil,
        sknMax: Rupiah(1_000_000_000), interbankOrder: [.interbank, .rtgs, .skn], noBIFastBanks: [])

    package init(intrabankMax: Rupiah?, interbankMax: Rupiah, rtgsMin: Rupiah, rtgsMax: Rupiah?, sknMax: Rupiah,
                 interbankOrder: [TransferService], noBIFastBanks: Set<String>) {
        self.intrabankMax = intrabankMax
        self.interbankMax = interbankMax
        self.rtgsMin = rtgsMin
        self.rtgsMax = rtgsMax
        self.sknMax = sknMax
        self.interbankOrder = interbankOrder
        self.noBIFastBanks = noBIFastBanks
    }

    /// The service for a transfer, or why none takes it (in the operator's words).
    package func route(kind: TransferKind, amount: Rupiah, bankCode: String?) -> Result<TransferService, RoutingRefusal> {
        if kind == .intrabank {
            if let intrabankMax, amount > intrabankMax {
                return .failure(RoutingRefusal("a transfer of \(amount) within the bank exceeds bank.routing.intrabank_max (\(intrabankMax))"))
            }
            return .success(.intrabank)
        }
        var why: [String] = []
        for service in interbankOrder {
            switch service {
            case .interbank:
                if let bankCode, noBIFastBanks.contains(bankCode) {
                    why.append("18 does not reach bank \(bankCode) (bank.routing.no_bifast_banks)")
                } else if amount > interbankMax {
                    why.append("18 takes at most \(interbankMax)")
                } else {
                    return .success(.interbank)
                }
            case .rtgs:
                if amount < rtgsMin {
                    why.append("22 (RTGS) takes from \(rtgsMin)")
                } else if let rtgsMax, amount > rtgsMax {
                    why.append("22 (RTGS) takes at most \(rtgsMax)")
                } else {
                    return .success(.rtgs)
                }
            case .skn:
                if amount > sknMax { why.append("23 (SKN) takes at most \(sknMax)") } else { return .success(.skn) }
            case .intrabank:
                continue
            }
        }
        return .failure(RoutingRefusal("no service of bank.routing.interbank_order takes a transfer of \(amount) to another bank: "
                                       + why.joined(separator: "; ") + "; split the payment or ask the bank to raise its limits"))
    }
}

/// Why no service takes a transfer.
package struct RoutingRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
