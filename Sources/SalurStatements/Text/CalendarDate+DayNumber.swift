internal import SalurCore

extension CalendarDate {
    /// Days since 1970-01-01 (proleptic Gregorian), to find which year puts an MT940 booking date
    /// (`MMDD`, no year) nearest its value date.
    var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
