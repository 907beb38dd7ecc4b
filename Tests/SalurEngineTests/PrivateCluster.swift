import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL cluster of one test's own, for server settings no shared cluster may have (the
/// `fsync = off` a durability refusal needs): `initdb` in a temporary folder (no sync, trust on
/// loopback), started on an ephemeral 127.0.0.1 port with the given settings, stopped and removed by
/// `stop()`. Run as the `postgres` user when the test runs as root, as scripts/pg-test-cluster.sh does.
struct PrivateCluster {
    let directory: String
    let port: Int
    let bin: String
    let runAs: [String]

    /// `postgres://salur@127.0.0.1:<port>/postgres`.
    var url: String { "postgres://salur@127.0.0.1:\(port)/postgres" }

    /// Makes and starts the cluster with `settings` (`name=value`), within about a minute.
    static func start(settings: [String]) throws -> PrivateCluster {
        let bins = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let bin = bins.sorted().reversed().map({ "/usr/lib/postgresql/\($0)/bin" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) else {
            throw ProcessError("no PostgreSQL server binaries under /usr/lib/postgresql (scripts/pg-test-cluster.sh installs them)")
        }
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-pgown-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw ProcessError("mkdtemp failed") }
        let directory = String(cString: made)
        chmod(directory, 0o755)
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
        var runAs: [String] = []
        if getuid() == 0 {
            guard let user = getpwnam("postgres") else { throw ProcessError("running as root and there is no postgres user") }
            chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
            chown(data, user.pointee.pw_uid, user.pointee.pw_gid)
            runAs = ["/usr/sbin/runuser", "-u", "postgres", "--"]
        }
        let cluster = PrivateCluster(directory: directory, port: try freePort(), bin: bin, runAs: runAs)
        do {
            try cluster.run(bin + "/initdb", ["-D", data, "-U", "salur", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            let options = (["listen_addresses=127.0.0.1", "port=\(cluster.port)", "unix_socket_directories=\(directory)"] + settings)
                .map { "-c \($0)" }.joined(separator: " ")
            try cluster.run(bin + "/pg_ctl", ["-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o", options, "start"])
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// Stops the server (immediate) and removes the folder. Safe to call on a half-made cluster.
    func stop() {
        _ = try? run(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `tool` (as `runAs`) and waits for it, its output in a file of the folder. posix_spawn and
    /// waitpid rather than Foundation's Process, which waits for the child's output to close — and
    /// `pg_ctl start` leaves the server it starts holding it.
    private func run(_ tool: String, _ arguments: [String]) throws {
        let output = directory + "/\((tool as NSString).lastPathComponent).out"
        let command = runAs.isEmpty ? [tool] + arguments : runAs + [tool] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw ProcessError("cannot start \(command[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ProcessError("waitpid \(tool): error \(errno)") }
        }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw ProcessError("\(tool) \(arguments.joined(separator: " ")) failed (status \(status)): \(text.suffix(2000))")
        }
    }

    /// A TCP port on 127.0.0.1 the kernel just handed out (free until someone else takes it).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ProcessError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
