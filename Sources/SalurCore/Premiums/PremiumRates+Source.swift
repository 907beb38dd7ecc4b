extension PremiumRates {
    /// The rate table as plain rows, before validation: what a loader of `config/bpjs-rates.toml`
    /// fills, one row per TOML table, and what tests build in code.
    ///
    /// Every row applies to the payroll periods `from...to` (inclusive; `to == nil` means still in
    /// force). Rows of one series — same array, programme, share and risk class — must neither
    /// overlap nor leave a gap; `validate()` checks that and the rest.
    public struct Source: Sendable, Hashable {
        /// `[[wage_rate]]`: percentages of the monthly wage for wage earners (PU, penerima upah).
        public var wageRates: [WageRate]
        /// `[[jp_ceiling]]`: the JP wage ceiling (batas upah tertinggi JP), one row per year.
        public var jpCeilings: [JPCeiling]
        /// `[[bpu_rate]]`: premiums of non-wage workers (BPU, bukan penerima upah).
        public var bpuRates: [BPURate]
        /// `[[bpu_income]]`: the declared income a BPU premium may be computed on.
        public var bpuIncomes: [BPUIncomeRange]

        /// A table from its rows; any array may be empty.
        public init(
            wageRates: [WageRate] = [], jpCeilings: [JPCeiling] = [],
            bpuRates: [BPURate] = [], bpuIncomes: [BPUIncomeRange] = []
        ) {
            self.wageRates = wageRates
            self.jpCeilings = jpCeilings
            self.bpuRates = bpuRates
            self.bpuIncomes = bpuIncomes
        }
    }
}

extension PremiumRates.Source {
    /// `[[wage_rate]]`: one programme's share as a percentage of the monthly wage.
    public struct WageRate: Sendable, Hashable, CustomStringConvertible {
        /// TOML `programme`: `"JKK"`, `"JKM"`, `"JHT"` or `"JP"`.
        public var programme: Programme
        /// TOML `share`: `"employer"` or `"employee"`; JKK and JKM are employer-only.
        public var share: PremiumShare
        /// TOML `risk_class`, 1...5: required on JKK rows, refused on the others.
        public var riskClass: RiskClass?
        /// TOML `percent`, a string with at most two decimals (`"0.24"`), read with `BasisPoints(percent:)`.
        public var rate: BasisPoints
        /// TOML `from`: the first period the rate applies to.
        public var from: Period
        /// TOML `to`: the last period it applies to; absent while the rate is in force.
        public var to: Period?
        /// TOML `regulation`: the legal basis, e.g. `"PP 44/2015"`.
        public var regulation: String
        /// Where the row came from, for messages (`"config/bpjs-rates.toml:41"`); not a TOML key.
        public var origin: String?

        /// A row as read.
        public init(
            programme: Programme, share: PremiumShare, riskClass: RiskClass? = nil, rate: BasisPoints,
            from: Period, to: Period? = nil, regulation: String, origin: String? = nil
        ) {
            self.programme = programme
            self.share = share
            self.riskClass = riskClass
            self.rate = rate
            self.from = from
            self.to = to
            self.regulation = regulation
            self.origin = origin
        }

        /// `[[wage_rate]] JKK risk class 3 employer 0.89 % 2023-03…(open), PP 44/2015 (config/bpjs-rates.toml:41)`
        public var description: String {
            let subject = [programme.rawValue, riskClass?.description, share.rawValue, rate.description]
                .compactMap { $0 }.joined(separator: " ")
            return rowDescription(kind: "wage_rate", subject: subject, from: from, to: to,
                                  regulation: regulation, origin: origin)
        }
    }

    /// `[[jp_ceiling]]`: the highest wage JP is computed on, for a bounded range of periods.
    ///
    /// BPJS Ketenagakerjaan adjusts it every March (PP 45/2015), so a row must have `to`.
    public struct JPCeiling: Sendable, Hashable, CustomStringConvertible {
        /// TOML `amount`: whole rupiah.
        public var amount: Rupiah
        /// TOML `from`.
        public var from: Period
        /// TOML `to`: required; an open-ended ceiling is refused, since it would be a guess.
        public var to: Period?
        /// TOML `regulation`.
        public var regulation: String
        /// TOML `source`, optional: the announcement the amount comes from.
        public var source: String?
        /// Where the row came from, for messages; not a TOML key.
        public var origin: String?

        /// A row as read.
        public init(amount: Rupiah, from: Period, to: Period?, regulation: String, source: String? = nil, origin: String? = nil) {
            self.amount = amount
            self.from = from
            self.to = to
            self.regulation = regulation
            self.source = source
            self.origin = origin
        }

        /// `[[jp_ceiling]] Rp 10.042.300 2024-03…2025-02, PP 45/2015`
        public var description: String {
            rowDescription(kind: "jp_ceiling", subject: amount.description, from: from, to: to,
                           regulation: regulation, origin: origin)
        }
    }

    /// What a BPU premium line is: a share of declared income or a flat amount.
    public enum BPUContribution: Sendable, Hashable, CustomStringConvertible {
        /// TOML `percent`: a percentage of the declared income, rounded half-up to the rupiah.
        case percentOfIncome(BasisPoints)
        /// TOML `amount`: whole rupiah a month, whatever the income.
        case flat(Rupiah)

        /// `1 %` or `Rp 6.800`
        public var description: String {
            switch self {
            case .percentOfIncome(let rate): rate.description
            case .flat(let amount): amount.description
            }
        }
    }

    /// `[[bpu_rate]]`: one BPU programme's premium; a row has exactly one of `percent` and `amount`.
    public struct BPURate: Sendable, Hashable, CustomStringConvertible {
        /// TOML `programme`: `"JKK"`, `"JKM"` or `"JHT"` (BPU has no JP).
        public var programme: Programme
        /// TOML `percent` or `amount`.
        public var contribution: BPUContribution
        /// TOML `from`.
        public var from: Period
        /// TOML `to`; absent while in force.
        public var to: Period?
        /// TOML `regulation`.
        public var regulation: String
        /// Where the row came from, for messages; not a TOML key.
        public var origin: String?

        /// A row as read.
        public init(
            programme: Programme, contribution: BPUContribution, from: Period, to: Period? = nil,
            regulation: String, origin: String? = nil
        ) {
            self.programme = programme
            self.contribution = contribution
            self.from = from
            self.to = to
            self.regulation = regulation
            self.origin = origin
        }

        /// `[[bpu_rate]] JKM Rp 6.800 2023-03…(open), PP 44/2015`
        public var description: String {
            rowDescription(kind: "bpu_rate", subject: "\(programme.rawValue) \(contribution)", from: from, to: to,
                           regulation: regulation, origin: origin)
        }
    }

    /// `[[bpu_income]]`: the inclusive range of declared monthly income BPU premiums accept.
    public struct BPUIncomeRange: Sendable, Hashable, CustomStringConvertible {
        /// TOML `minimum`: whole rupiah.
        public var minimum: Rupiah
        /// TOML `maximum`: whole rupiah.
        public var maximum: Rupiah
        /// TOML `from`.
        public var from: Period
        /// TOML `to`; absent while in force.
        public var to: Period?
        /// TOML `regulation`.
        public var regulation: String
        /// Where the row came from, for messages; not a TOML key.
        public var origin: String?

        /// A row as read.
        public init(
            minimum: Rupiah, maximum: Rupiah, from: Period, to: Period? = nil, regulation: String, origin: String? = nil
        ) {
            self.minimum = minimum
            self.maximum = maximum
            self.from = from
            self.to = to
            self.regulation = regulation
            self.origin = origin
        }

        /// `[[bpu_income]] Rp 1.000.000 – Rp 20.700.000 2023-03…(open), PP 44/2015`
        public var description: String {
            rowDescription(kind: "bpu_income", subject: "\(minimum) – \(maximum)", from: from, to: to,
                           regulation: regulation, origin: origin)
        }
    }
}

/// The one way rows name themselves in messages, so an operator can find the row in the file.
private func rowDescription(
    kind: String, subject: String, from: Period, to: Period?, regulation: String, origin: String?
) -> String {
    let range = "\(from)…\(to?.description ?? "(open)")"
    let place = origin.map { " (\($0))" } ?? ""
    return "[[\(kind)]] \(subject) \(range), \(regulation)\(place)"
}
