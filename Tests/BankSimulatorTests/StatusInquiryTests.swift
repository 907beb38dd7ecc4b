import BankSimulator
import SalurCore
import Testing

@Suite("Transfer status inquiry (service 36)")
struct StatusInquiryTests {
    @Test("a settled transfer is 00, an unknown one 07 with 2003600")
    func settledAndNotFound() async throws {
        try await withBank { _, client in
            let booked = try #require(try client.transfer(reference: "ST-1", externalID: "5001"))
            let referenceNo = try booked.json["referenceNo"]
            let settled = try #require(try client.status(reference: "ST-1")).json
            #expect(settled["responseCode"] == "2003600")
            #expect(settled["latestTransactionStatus"] == "00")
            #expect(settled["originalReferenceNo"] == referenceNo)
            #expect(settled["originalExternalId"] == "5001")
            #expect(settled["amount"] == ["value": "300000.00", "currency": "IDR"])
            #expect(settled["previousResponseCode"] == "2001700")

            let missing = try #require(try client.status(reference: "NEVER-SENT"))
            #expect(missing.status == 200)
            let json = try missing.json
            #expect(json["responseCode"] == "2003600")
            #expect(json["latestTransactionStatus"] == "07")
            #expect(json["serviceCode"] == "17")
        }
    }

    @Test("the service code must match the original transfer")
    func serviceCodeMatters() async throws {
        try await withBank { _, client in
            let booked = try client.transfer(reference: "ST-SVC")
            #expect(booked?.responseCode == "2001700")
            let asInterbank = try #require(try client.status(reference: "ST-SVC", serviceCode: "18")).json
            #expect(asInterbank["latestTransactionStatus"] == "07")
            let unknownService = try client.status(reference: "ST-SVC", serviceCode: "99")
            #expect(unknownService?.responseCode == "4003601")
        }
    }

    @Test("a pending transfer is 03, then 00 once the settle time has passed")
    func pendingThenSettled() async throws {
        try await withBank({
            $0.faults = .only(.pending)
            $0.settleAfterMilliseconds = 1_500
        }) { simulator, client in
            let booked = try #require(try client.transfer(reference: "PEND-1"))
            #expect(booked.status == 202)
            #expect(booked.responseCode == "2021700")
            #expect(try client.status(reference: "PEND-1")?.json["latestTransactionStatus"] == "03")
            #expect(await simulator.ledger().map(\.status) == [.pending])

            let settled = try await eventually {
                try client.status(reference: "PEND-1")?.json["latestTransactionStatus"] == "00"
            }
            #expect(settled)
            #expect(await simulator.ledger().map(\.status) == [.settled])
        }
    }

    @Test("a refused transfer is 06")
    func refusedIsFailed() async throws {
        try await withBank({ $0.maxAmount = Rupiah(100) }) { _, client in
            #expect(try client.transfer(reference: "FAIL-1")?.responseCode == "4031702")
            let json = try #require(try client.status(reference: "FAIL-1")).json
            #expect(json["latestTransactionStatus"] == "06")
            #expect(json["previousResponseCode"] == "4031702")
        }
    }

    @Test("an inquiry by originalExternalId finds that attempt")
    func byExternalID() async throws {
        try await withBank { _, client in
            #expect(try client.transfer(reference: "EXT-A", externalID: "9001")?.responseCode == "2001700")
            #expect(try client.transfer(reference: "EXT-A", externalID: "9002")?.responseCode == "2001700")
            let first = try #require(try client.status(reference: "EXT-A", externalID: "9001")).json
            #expect(first["originalExternalId"] == "9001")
            #expect(first["latestTransactionStatus"] == "00")
            let other = try #require(try client.status(reference: "EXT-A", externalID: "9003")).json
            #expect(other["latestTransactionStatus"] == "07")
        }
    }

    @Test("a transfer dropped before booking is 07, one dropped after booking is 00")
    func dropsAndInquiry() async throws {
        try await withBank({ $0.faults = .only(.dropBefore) }) { simulator, client in
            #expect(try client.transfer(reference: "DROP-B") == nil)
            var next = try SNAPTestClient(port: simulator.port)
            next.accessToken = client.accessToken
            #expect(try next.status(reference: "DROP-B")?.json["latestTransactionStatus"] == "07")

            try await simulator.setFaults(.only(.dropAfter))
            #expect(try next.transfer(reference: "DROP-A") == nil)
            var third = try SNAPTestClient(port: simulator.port)
            third.accessToken = client.accessToken
            let json = try #require(try third.status(reference: "DROP-A")).json
            #expect(json["latestTransactionStatus"] == "00")
            #expect(json["previousResponseCode"] == nil)
        }
    }
}
