extension String {
    /// Spaces and tabs removed from both ends (as `CSVRow` trims fields).
    var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(Substring(scalars))
    }
}
