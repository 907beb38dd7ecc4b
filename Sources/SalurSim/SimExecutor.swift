import Synchronization

/// A task executor whose jobs run only when the simulation's scheduler picks them, one at a time,
/// on the scheduler's thread. Each simulated engine process runs on one (every task it starts
/// inherits it as its executor preference), and so does the simulated network; the scheduler picks
/// among all of their ready jobs with the seed's generator, which is what makes an interleaving
/// reproducible, and stops running an executor's jobs while its process is frozen or gone.
final class SimExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the queue is behind a Mutex; the flags are read and written on the scheduler's thread only.
    let name: String
    private let queue = Mutex<[UnownedJob]>([])
    /// A frozen process (SIGSTOP, a paused VM): its jobs wait, time goes on.
    var frozen = false

    init(name: String) { self.name = name }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.append(job) }
    }

    /// How many jobs are ready.
    var readyCount: Int { queue.withLock { $0.count } }

    /// Runs the ready job at `index` to its next suspension point.
    func run(at index: Int) {
        let job = queue.withLock { $0.remove(at: index) }
        job.runSynchronously(on: asUnownedTaskExecutor())
    }
}
