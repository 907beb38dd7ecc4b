import ArgumentParser
import Foundation
import SalurBank
import SalurCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Demo data for trying Salur out.", subcommands: [Seed.self, Keys.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write recipients.csv, bank-results.csv and bank-accounts.csv for Kota Kupang (3,000 recipients, 2,570 opened).")
        @Option(help: "The folder to write into.") var dir = "demo-data"
        @Option(help: "How many recipients.") var recipients = 3_000
        @Option(help: "How many of them the bank opens.") var opened = 2_570
        @Option(help: "The programme code.") var program = "BANSOS-NT"
        @Option(help: "Random seed, for reproducible data.") var seed: UInt64 = 2018

        func validate() throws {
            guard recipients > 0, recipients <= 20_000_000 else { throw ValidationError("--recipients must be 1…20,000,000") }
            guard opened >= 0, opened <= recipients else { throw ValidationError("--opened must be 0…--recipients") }
        }

        func run() async throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var data = DemoData(recipients: recipients, opened: opened, program: program, seed: seed)
            let recipientsFile = dir + "/recipients.csv", resultsFile = dir + "/bank-results.csv", accountsFile = dir + "/bank-accounts.csv"
            let recipientBytes = data.recipientsCSV()
            try Output.writeAtomically(recipientBytes, to: recipientsFile)
            try Output.writeAtomically(data.resultsCSV(), to: resultsFile)
            // The bank knows its account holders by the names the city sent.
            var names: [String: String] = [:]
            var reader = CSVReader(bytes: recipientBytes, file: recipientsFile)
            _ = try reader.next()
            var index = 0
            while let record = try reader.next() {
                if data.isOpened(index), let name = record.fields[1].string { names[DemoData.accountNo(index)] = name.uppercased() }
                index += 1
            }
            try Output.writeAtomically(data.bankAccountsCSV(names: names), to: accountsFile)
            print("wrote \(recipientsFile) (\(Output.grouped(recipients)) recipients), \(resultsFile) (\(Output.grouped(opened)) opened, "
                  + "\(Output.grouped(recipients - opened)) rejected), \(accountsFile)")
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a SNAP key pair and client secret for the demo (private_key.pem, public_key.pem, client_secret; mode 0600).")
        @Option(help: "The folder to write into.") var dir = "secrets"

        func run() async throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let (privatePEM, publicPEM) = try SNAPKeys.generate()
            var secret = SystemRandomNumberGenerator()
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            let clientSecret = String((0..<40).map { _ in alphabet[Int(secret.next() % UInt64(alphabet.count))] })
            for (name, text) in [("private_key.pem", privatePEM), ("public_key.pem", publicPEM), ("client_secret", clientSecret + "\n")] {
                let path = dir + "/" + name
                try Output.writeAtomically(Array(text.utf8), to: path)
                chmod(path, 0o600)
            }
            print("wrote \(dir)/private_key.pem, public_key.pem, client_secret")
        }
    }
}
