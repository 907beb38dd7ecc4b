import Foundation
package import SalurCore
package import SalurStore

/// The bank's collective-opening request file (`nik,name,district,phone`), written by
/// `salurctl accounts export-requests` as the store reads the requests, a page at a time.
package enum OpeningRequestFile {
    /// The file's header.
    package static let columns = ["nik", "name", "district", "phone"]

    /// The CSV record of one request.
    package static func record(_ request: OpeningRequest) -> [CSVCell] {
        [.numeral(request.nik), .text(request.name), .text(request.district), .numeral(request.phone)]
    }

    /// Writes every `not_requested` recipient's request to `output` and marks them requested;
    /// returns how many. The rows of each page go to a temporary file beside `output`, its SHA-256
    /// computed as they pass (`ExportDestination`); once the last page is written the file is renamed
    /// over `output`, and only then does the store mark the recipients and audit that SHA-256, in
    /// the transaction that read them. A failed write, or a crash before the rename, leaves neither
    /// the file nor a mark; a crash between the rename and the commit leaves the file and no mark,
    /// and the next export writes the same requests again. Never the marks without the file.
    package static func export(_ ledger: any Ledger, to output: String, actor: String,
                               pageSize: Int = RecipientImport.requestsPerPage) async throws -> Int {
        let destination = try ExportDestination(output)
        do {
            var writer = CSVWriter()
            writer.write(columns)
            try destination.write(writer.take())
            return try await ledger.exportOpeningRequests(actor: actor, pageSize: pageSize, page: { requests in
                for request in requests { writer.write(record(request)) }
                try destination.write(writer.take())
            }, finish: { try destination.commit() })
        } catch {
            destination.abandon()
            throw error
        }
    }
}
