/// Hand-written MT940 files in the shapes Indonesian banks send.
enum MT940Fixtures {
    /// SWIFT block wrapper, decimal comma, booking dates, `//bankref`, a two-line `:86:`, CRLF.
    static let standard = crlf("""
    {1:F01BMRIIDJAAXXX0000000000}{2:I940BMRIIDJAXXXXN}{4:
    :20:STMT20260131
    :25:1230007654321
    :28C:00031/001
    :60F:C260130IDR250000000,00
    :61:2601300130D1500000,00NTRFBANSOS-000001//FT26030A1B2C
    :86:TRF BANSOS NT 2026-01 KE 1234567890 BUDI SANTOSO KEL. OESAPA
    KEC. KELAPA LIMA
    :61:2601310131C5000000,00NTRFNONREF//FT26031ZZZ
    :86:SETORAN KAS DAERAH
    :61:2601310131D6500,00NMSCNONREF
    :86:BIAYA ADM
    :62F:C260131IDR253493500,00
    :64:C260131IDR253493500,00
    -}
    """)

    /// BRI style: no decimal comma, no booking date, short `:86:`, LF, trailing spaces, no
    /// wrapper, no terminator, a funds-code letter on one entry.
    static let bri = """
    :20:BRI0001  
    :25:034101000123456
    :28C:1/1
    :60F:C260201IDR10000000   
    :61:260201D2500000NTRFREF001//BRI123
    :86:TRF BANSOS   
    :61:260202CR100000NTRFNONREF
    :86:BUNGA
    :62F:C260202IDR7600000
    """

    /// Two statements in one file, separated by `-`, with an intermediate page (`:60M:`/`:62M:`).
    static let twoStatements = crlf("""
    :20:BNI-0201
    :25:0112233445
    :28C:00032/001
    :60F:C260201IDR1000000,00
    :61:2602010201D250000,00NTRFSALUR-0000001//BNI77001
    :86:BANSOS NT 2026-02
    :62M:C260201IDR750000,00
    -
    :20:BNI-0201
    :25:0112233445
    :28C:00032/002
    :60M:C260201IDR750000,00
    :61:2602020202D250000,00NTRFSALUR-0000002//BNI77002
    :86:BANSOS NT 2026-02
    :62F:C260202IDR500000,00
    -
    """)

    /// Reversals: RD (reversal of a debit: money back in) and RC (reversal of a credit).
    static let reversal = """
    :20:REV1
    :25:1230007654321
    :60F:D260301IDR100000,00
    :61:2603010301D300000,00NTRFSALUR-0000009//FT1
    :86:TRF BANSOS
    :61:2603020302RD300000,00NTRFSALUR-0000009//FT2
    :86:RETUR REKENING TIDAK AKTIF
    :61:2603020302RC50000,00NTRFNONREF//FT3
    :86:KOREKSI SETORAN
    :61:2603020302C50000,00NTRFNONREF//FT4
    :62F:D260302IDR100000,00
    """

    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }
}
