/// How a bank words `beneficiaryAccountStatus` in its account inquiry answer (SNAP service 15).
///
/// The standard makes the field optional free text of up to 16 characters, and its own sample
/// answer says "Rekening aktif"; banks answer "active", "AKTIF", "Rekening aktif", "Dormant",
/// "Rekening tidak aktif"… A wording is compared after normalising both sides: lower-cased, every
/// run of characters other than letters and digits turned into one space, trimmed — so "Non-Aktif",
/// "NON_AKTIF" and "non aktif" are one wording. A leading "rekening", "account" or "status" word
/// (or "nasabah") is ignored too, so "aktif" also covers "Rekening aktif" and "Account active". A wording in
/// neither list is `unrecognised`: not paid until an operator decides (`[bank.account_status]`).
package struct AccountStatusWordings: Sendable, Equatable {
    /// What Salur makes of one answer's status text.
    package enum Reading: Sendable, Equatable {
        /// Absent, or an active wording: the account can be credited.
        case active
        /// A known inactive, dormant, blocked, frozen or closed wording: not payable.
        case notPayable
        /// Neither: not payable until an operator decides.
        case unrecognised
    }

    /// Wordings that mean the account can be credited (normalised).
    package private(set) var active: Set<String>
    /// Wordings that mean it cannot (normalised).
    package private(set) var notPayable: Set<String>

    /// The built-in wordings plus a bank's own (`[bank.account_status]`): a wording listed by the
    /// bank's config overrides a built-in one of the other list.
    package init(active: [String] = [], notPayable: [String] = []) {
        let ownActive = Set(active.map(Self.normalise).filter { !$0.isEmpty })
        let ownNotPayable = Set(notPayable.map(Self.normalise).filter { !$0.isEmpty })
        self.active = Self.builtInActive.subtracting(ownNotPayable).union(ownActive)
        self.notPayable = Self.builtInNotPayable.subtracting(ownActive).union(ownNotPayable)
    }

    /// The built-in wordings only.
    package static let standard = AccountStatusWordings()

    /// Reads one answer's `beneficiaryAccountStatus`.
    package func read(_ status: String?) -> Reading {
        guard let status else { return .active }
        let text = Self.normalise(status)
        if text.isEmpty { return .active }
        for candidate in Self.candidates(text) {
            if notPayable.contains(candidate) { return .notPayable }
            if active.contains(candidate) { return .active }
        }
        return .unrecognised
    }

    /// Lower case, runs of anything but letters and digits as one space, trimmed.
    package static func normalise(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingSpace, !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(character)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// The text itself, then without a leading word that only names what the status is of.
    private static func candidates(_ text: String) -> [String] {
        var all = [text]
        for prefix in ["rekening ", "account ", "status ", "status rekening ", "account status ", "nasabah "] where text.hasPrefix(prefix) {
            all.append(String(text.dropFirst(prefix.count)))
        }
        return all
    }

    /// Active wordings seen from Indonesian banks, English and Indonesian.
    static let builtInActive: Set<String> = [
        "active", "aktif", "open", "normal", "buka",
    ]

    /// Wordings that say the account cannot be credited.
    static let builtInNotPayable: Set<String> = [
        "inactive", "in active", "not active", "non active", "nonactive", "tidak aktif", "non aktif", "nonaktif", "tdk aktif",
        "dormant", "dorman", "pasif", "passive", "blocked", "block", "blokir", "diblokir", "terblokir", "closed", "close",
        "tutup", "ditutup", "frozen", "freeze", "beku", "dibekukan", "suspended", "suspend", "ditangguhkan",
        "invalid", "tidak valid", "not found", "tidak ditemukan", "deceased", "meninggal",
    ]
}
