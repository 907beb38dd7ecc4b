import SalurCore

/// Realistic demo data for Kota Kupang: recipients with valid NIKs for its six districts,
/// NTT names, and the bank's answer opening a chosen number of them.
package struct DemoData {
    /// Kota Kupang's districts (kecamatan) and their Dukcapil region codes.
    package static let districts: [(code: String, name: String)] = [
        ("537101", "Alak"), ("537102", "Maulafa"), ("537103", "Oebobo"),
        ("537104", "Kota Raja"), ("537105", "Kelapa Lima"), ("537106", "Kota Lama"),
    ]
    static let firstNames = ["Yohanes", "Maria", "Fransiskus", "Yosefina", "Agustinus", "Margaretha", "Petrus", "Theresia",
                             "Dominggus", "Ursula", "Marthen", "Elisabeth", "Yakobus", "Katarina", "Stefanus", "Anselina",
                             "Arnoldus", "Serlina", "Gabriel", "Dorkas", "Simon", "Naomi", "Yulius", "Ribka", "Melkianus",
                             "Adriana", "Ferdinand", "Selfina", "Benediktus", "Yuliana"]
    static let familyNames = ["Ndun", "Bunga", "Lay", "Tefa", "Manafe", "Mooy", "Nenobais", "Foenay", "Ratu", "Dethan",
                              "Pellokila", "Riwu", "Kana", "Haning", "Lona", "Ully", "Ndolu", "Sabu", "Toelle", "Benu",
                              "Taopan", "Kolo", "Nope", "Bire", "Amalo"]
    /// Why the bank could not open an account, with relative weights (Kupang 2018: 430 of 3,000).
    static let rejectionReasons: [(reason: String, weight: Int)] = [
        ("NIK tidak terdaftar di Dukcapil", 40), ("Data KTP tidak lengkap", 30),
        ("Nama tidak sesuai KTP", 20), ("Duplikat nasabah", 10),
    ]

    package let recipients: Int
    package let opened: Int
    package let program: String
    private var random: SplitMix64

    package init(recipients: Int = 3_000, opened: Int = 2_570, program: String = "BANSOS-NT", seed: UInt64 = 2018) {
        self.recipients = recipients
        self.opened = min(opened, recipients)
        self.program = program
        random = SplitMix64(seed: seed)
    }

    /// The NIK of recipient `index`: district by index, a birth date, and the index as serial
    /// (unique for up to 10,000 × 6 × 365 × 60 recipients thanks to the date spread).
    package static func nik(_ index: Int, female: Bool) -> String {
        let district = districts[index % districts.count].code
        let serial = index / districts.count
        let dayOfYear = serial % 336            // 28 days × 12 months: always a real date
        let day = dayOfYear % 28 + 1 + (female ? 40 : 0)
        let month = dayOfYear / 28 + 1
        let year = 40 + (serial / 336) % 60     // born 1940–1999
        let number = serial / (336 * 60) + 1
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: w - s.count) + s }
        return district + pad(day, 2) + pad(month, 2) + pad(year % 100, 2) + pad(number, 4)
    }

    /// The account number the bank gives recipient `index`.
    package static func accountNo(_ index: Int) -> String {
        let s = String(index + 1)
        return "0011" + String(repeating: "0", count: 8 - min(8, s.count)) + s
    }

    /// `recipients.csv`: `nik,name,program,district,phone`.
    package mutating func recipientsCSV() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(recipients * 72)
        out.append(contentsOf: "nik,name,program,district,phone\n".utf8)
        for index in 0..<recipients {
            let female = index % 2 == 1
            let first = DemoData.firstNames[Int(random.next() % UInt64(DemoData.firstNames.count))]
            let family = DemoData.familyNames[Int(random.next() % UInt64(DemoData.familyNames.count))]
            let phone = "0812" + String(37_000_000 + Int(random.next() % 9_000_000))
            out.append(contentsOf: DemoData.nik(index, female: female).utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: "\(first) \(family)".utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: program.utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: DemoData.districts[index % DemoData.districts.count].name.utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: phone.utf8)
            out.append(0x0A)
        }
        return out
    }

    /// Which recipients the bank opens: a deterministic spread of `opened` out of `recipients`.
    package func isOpened(_ index: Int) -> Bool {
        // Spread rejections evenly: recipient i is rejected when floor((i+1)·r/n) > floor(i·r/n).
        let rejected = recipients - opened
        return (index + 1) * rejected / recipients == index * rejected / recipients
    }

    /// `bank-results.csv`: the bank's answer, `nik,status,account_no,reason`.
    package mutating func resultsCSV() -> [UInt8] {
        var writer = CSVWriter()
        writer.write(["nik", "status", "account_no", "reason"])
        let totalWeight = DemoData.rejectionReasons.reduce(0) { $0 + $1.weight }
        for index in 0..<recipients {
            let nik = DemoData.nik(index, female: index % 2 == 1)
            if isOpened(index) {
                writer.write([nik, "opened", DemoData.accountNo(index), ""])
            } else {
                var pick = Int(random.next() % UInt64(totalWeight))
                var reason = DemoData.rejectionReasons[0].reason
                for entry in DemoData.rejectionReasons {
                    if pick < entry.weight { reason = entry.reason; break }
                    pick -= entry.weight
                }
                writer.write([nik, "rejected", "", reason])
            }
        }
        return writer.output
    }

    /// `bank-accounts.csv`: the accounts the bank holds, for the bank simulator (`account_no,name,status`).
    package func bankAccountsCSV(names: [String: String] = [:]) -> [UInt8] {
        var writer = CSVWriter()
        writer.write(["account_no", "name", "status"])
        for index in 0..<recipients where isOpened(index) {
            writer.write([DemoData.accountNo(index), names[DemoData.accountNo(index)] ?? "PENERIMA \(index + 1)", "active"])
        }
        return writer.output
    }
}

/// A small, fast, seedable generator (SplitMix64), so demo data is the same on every machine.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
