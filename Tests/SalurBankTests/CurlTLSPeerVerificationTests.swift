import SalurBank
import Testing

@Suite("TLS peer verification stays on except for loopback hosts")
struct CurlTLSPeerVerificationTests {
    @Test("loopback hosts may skip verification", arguments: [
        "https://127.0.0.1:8443/v1.0/transfer-intrabank",
        "https://127.9.8.7/",
        "https://[::1]:8443/v1.0/access-token/b2b",
        "https://localhost:8443/",
        "https://LocalHost/",
        "https://bank.co.id@127.0.0.1/",   // userinfo, not the host
        "http://127.0.0.1:8080/",
    ])
    func loopback(url: String) {
        #expect(!TLSPeerVerification.isRequired(forURL: url))
    }

    @Test("every other host is verified", arguments: [
        "https://api.bank.co.id/v1.0/transfer-intrabank",
        "https://snap.bankntt.co.id:443/",
        "https://10.0.0.1/",
        "https://192.168.1.10/",
        "https://128.0.0.1/",
        "https://[::2]/",
        "https://[::ffff:127.0.0.1]/",
        "https://localhost.bank.co.id/",
        "https://127.0.0.1.nip.io/",
        "https://127.0.0.1@bank.co.id/",
        "https://localhost./",
        "not a url",
        "",
    ])
    func remote(url: String) {
        #expect(TLSPeerVerification.isRequired(forURL: url))
    }

    @Test("a CA file is checked on loopback too: the operator named whom to trust", arguments: [
        "https://127.0.0.1:8443/v1.0/transfer-intrabank",
        "https://[::1]:8443/",
        "https://localhost/",
        "https://api.bank.co.id/",
    ])
    func caFileMeansVerify(url: String) {
        #expect(TLSPeerVerification.isRequired(forURL: url, caFile: "/etc/salur/bank-ca.pem"))
        #expect(TLSPeerVerification.isRequired(forURL: url, caFile: nil) == TLSPeerVerification.isRequired(forURL: url))
    }
}
