import Dispatch
import Glibc

/// A thread of its own for work that waits while it runs (on a semaphore, for room in a queue):
/// a file's reading thread, which hands windows to Dispatch's worker threads and waits for them.
///
/// Such work must not run on one of Dispatch's shared worker threads. On Linux, Dispatch learns
/// that a worker is blocked only by looking, about once a second; until then the work queued
/// behind it waits. On two cores there are two workers: a reading thread waiting on one of them for
/// windows queued behind it left the import with one worker, and stalled it for 0.8 s at its start
/// (seen with `strace -f` on `salurctl payroll import`).
package enum WaitingThread {
    /// Runs `body` on a new detached thread; on Dispatch's shared workers only if no thread can be made.
    package static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let code = pthread_create(&thread, &attributes, { context in
            Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, box)
        guard code != 0 else { return }
        let body = Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body
        DispatchQueue.global().async(execute: body)
    }

    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
