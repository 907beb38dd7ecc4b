import Foundation
import SalurCore
import SalurStore

/// The SQLite file's place on disk: its folder and the file itself made with modes that do not
/// depend on the process umask, and a clear word when it is missing or out of the user's reach.
///
/// The rule: private (folder 0700, file 0600) unless the folder is shared with a group (setgid or
/// group-writable, as the installed `/var/lib/salur` is, 2770 root-made for the `salur` group):
/// then the file is 0660 and a folder made inside is 0770 (and inherits the setgid bit), so that
/// every operator in the group and salurd can use what any of them created. Never anything for others.
enum DatabaseFile {
    /// Makes the folder and an empty file when `create` allows and they are missing; otherwise
    /// checks that the file is there and that this user may read it, and write it unless `readOnly`.
    /// Removes access for others from a file (and its -wal/-shm) this user owns.
    static func prepare(_ path: String, create: Bool, readOnly: Bool) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        if stat(path, &info) != 0 {
            let failure = errno
            if failure == EACCES {
                throw StoreError.unusable(path: path, reason: denied(path))
            }
            guard failure == ENOENT else { throw StoreError.unusable(path: path, reason: String(cString: strerror(failure))) }
            guard create else { throw StoreError.missing(path: path) }
            if !directory.isEmpty { try makeFolder(directory, for: path) }
            try makeFile(path, shared: isShared(directory.isEmpty ? "." : directory))
            return
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw StoreError.unusable(path: path, reason: "it is a folder, not a database file")
        }
        for file in [path, path + "-wal", path + "-shm"] { closeToOthers(file) }
        if access(path, R_OK) != 0 && errno == EACCES {
            throw StoreError.unusable(path: path, reason: denied(path))
        }
        if !readOnly, access(path, W_OK) != 0, errno == EACCES {
            throw StoreError.unusable(path: path, reason: "you may read it but not change it; " + denied(path))
        }
    }

    /// Whether `folder` is shared with its group: setgid or group-writable.
    static func isShared(_ folder: String) -> Bool {
        var info = stat()
        guard stat(folder, &info) == 0 else { return false }
        return info.st_mode & (S_ISGID | S_IWGRP) != 0
    }

    /// The permission bits a new database file gets in `folder`.
    static func fileMode(shared: Bool) -> mode_t { shared ? 0o660 : 0o600 }

    /// Makes `folder` and any missing parent, each 0700, or 0770 inside a shared parent.
    private static func makeFolder(_ folder: String, for path: String) throws {
        var info = stat()
        if stat(folder, &info) == 0 { return }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder { try makeFolder(parent, for: path) }
        let mode: mode_t = isShared(parent.isEmpty ? "." : parent) ? 0o770 : 0o700
        if mkdir(folder, mode) != 0, errno != EEXIST {
            let reason = String(cString: strerror(errno))
            throw StoreError.unusable(path: path, reason: "cannot create its folder \(folder): \(reason)")
        }
        // The umask may have taken group bits away; keep an inherited setgid bit.
        if stat(folder, &info) == 0, info.st_mode & 0o777 != mode {
            _ = chmod(folder, mode | (info.st_mode & S_ISGID))
        }
    }

    /// Creates the empty database file with exactly `fileMode(shared:)` (SQLite makes an empty file a database).
    private static func makeFile(_ path: String, shared: Bool) throws {
        let mode = fileMode(shared: shared)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 {
            if errno == EEXIST { return }
            let failure = errno
            throw StoreError.unusable(path: path, reason: failure == EACCES ? denied(path)
                                      : "cannot create it: \(String(cString: strerror(failure)))")
        }
        defer { close(fd) }
        if fchmod(fd, mode) != 0 {
            let reason = String(cString: strerror(errno))
            throw StoreError.unusable(path: path, reason: "cannot set its mode \(String(mode, radix: 8)): \(reason)")
        }
    }

    /// Takes every permission for others away from `file` when this user owns it.
    private static func closeToOthers(_ file: String) {
        var info = stat()
        guard stat(file, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o007 != 0 else { return }
        _ = chmod(file, info.st_mode & 0o7770)
    }

    /// Why this user cannot reach `path`, and what to do about it.
    static func denied(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let group = groupName(of: folder.isEmpty ? "." : folder)
        let user = userName()
        let remedy = group.map {
            "operators must be in its group \($0) (an administrator runs: usermod -aG \($0) \(user), then \(user) logs in again)"
        } ?? "ask an administrator for access"
        return "permission denied for \(user); \(remedy)"
    }

    /// The name of the group owning `path`, or the nearest folder above it this user can see (the
    /// one that shuts them out).
    private static func groupName(of path: String) -> String? {
        var info = stat()
        var folder = path
        while stat(folder, &info) != 0 {
            let parent = (folder as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != folder else { return nil }
            folder = parent
        }
        return SystemUser.groupName(gid: info.st_gid) ?? "gid \(info.st_gid)"
    }

    /// The login name of the real user, or `uid N`.
    private static func userName() -> String {
        SystemUser.loginName() ?? "uid \(getuid())"
    }
}
