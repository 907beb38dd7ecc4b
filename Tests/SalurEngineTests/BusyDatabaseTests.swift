import BankSimulator
import Foundation
import GRDB
import Logging
import SalurCLI
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore
import Synchronization
import Testing

@Suite("A busy database does not stop the engine")
struct BusyDatabaseTests {
    @Test("another writer holding the database past the busy timeout: the engine waits, recovers, and pays each transfer once")
    func busyWriter() async throws {
        let harness = try await EngineHarness.make(count: 300, faults: .none)
        // A second ledger on the same file with a short busy timeout, as the engine's own.
        let ledger = try SQLiteLedger(path: harness.directory + "/salur.sqlite", busyTimeout: 0.05)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = Engine(ledger: ledger, bank: harness.bank, settings: EngineHarness.settings, logger: logger)

        // Another connection takes the write lock (a schema change it will roll back) and keeps
        // it while the engine starts; the engine's writes time out after 50 ms each.
        let blocker = try DatabaseQueue(path: harness.directory + "/salur.sqlite")
        let held = Mutex(false)
        let release = DispatchSemaphore(value: 0)
        Thread {
            _ = try? blocker.write { db -> Void in
                try db.execute(sql: "CREATE TABLE busy_probe (x)")
                held.withLock { $0 = true }
                release.wait()
                throw CancellationError()   // roll back
            }
        }.start()
        while !held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        let run = Task { try await engine.run(exitWhenIdle: true) }
        // The length of the outage (not a synchronisation): several busy passes in a row.
        try await Task.sleep(for: .milliseconds(400))
        #expect(try harness.ledger.attemptCount() == 0, "nothing could be committed while the lock was held")
        release.signal()
        try await run.value
        let records = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(records.allSatisfy { $0.state == "settled" })
        let booked = await harness.simulator.ledger().filter { $0.status == .settled }
        #expect(booked.count == 300)
        #expect(Set(booked.map(\.partnerReferenceNo)).count == 300)
        try await harness.close()
    }
}
