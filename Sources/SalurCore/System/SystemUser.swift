#if canImport(Glibc)
import Glibc
#endif

/// The machine's user database, as Salur names the people behind a process.
public enum SystemUser {
    /// The login name of `uid` (by default this process's real user), or nil when it has none.
    public static func loginName(uid: UInt32? = nil) -> String? {
        let uid = uid ?? getuid()
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &record, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.pw_name else {
            return nil
        }
        return String(cString: name)
    }

    /// The name of group `gid`, or nil when it has none.
    public static func groupName(gid: UInt32) -> String? {
        var record = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &record, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.gr_name else {
            return nil
        }
        return String(cString: name)
    }
}
