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
    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(to other: CalendarDate) -> Int { other.dayNumber - dayNumber }
}
