extension Period {
    /// The first day of the month: the day that decides which agreement a period belongs to.
    public var firstDay: CalendarDate {
        guard let day = CalendarDate(year: year, month: month, day: 1) else {
            preconditionFailure("the 1st exists in every valid period")
        }
        return day
    }

    /// The day premiums for this period must reach BPJS Ketenagakerjaan: the 15th of the next month.
    public var remittanceDueDate: CalendarDate {
        let next = self.next
        guard let day = CalendarDate(year: next.year, month: next.month, day: 15) else {
            preconditionFailure("the 15th exists in every valid period")
        }
        return day
    }
}

extension CalendarDate {
    /// Days since 1970-01-01 (proleptic Gregorian), for distances between days.
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(to other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }
}
