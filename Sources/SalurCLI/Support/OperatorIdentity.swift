import Foundation

/// Who is at the keyboard, from the process's own credentials (never from a flag), so that
/// maker-checker and the audit log cannot be talked into another name.
package enum OperatorIdentity {
    /// The login name of the real user id, or `uid:N` when it has no name.
    package static func current() -> String {
        let uid = getuid()
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &record, &buffer, buffer.count, &result) == 0, let result, let name = result.pointee.pw_name {
            return String(cString: name)
        }
        return "uid:\(uid)"
    }
}
