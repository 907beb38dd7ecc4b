/// How the curl thread hands a caller its outcome.
typealias CurlSendContinuation = CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>

/// A send waiting for a free slot on the curl thread.
struct CurlPendingSend: Sendable {
    let id: UInt64
    let request: HTTPRequest
    let continuation: CurlSendContinuation
}

/// The sends waiting for a slot, oldest first. A cancelled send can leave from anywhere in O(1).
struct CurlSendQueue {
    private var waiting: [UInt64: CurlPendingSend] = [:]
    private var order: [UInt64] = []
    private var head = 0

    var count: Int { waiting.count }

    mutating func append(_ send: CurlPendingSend) {
        waiting[send.id] = send
        order.append(send.id)
    }

    /// Takes the send with `id` out of the queue, if it is still waiting.
    mutating func remove(id: UInt64) -> CurlPendingSend? {
        waiting.removeValue(forKey: id)
    }

    /// Takes the oldest waiting send.
    mutating func popFirst() -> CurlPendingSend? {
        while head < order.count {
            let id = order[head]
            head += 1
            if let send = waiting.removeValue(forKey: id) {
                if head >= 1_024, head * 2 >= order.count {
                    order.removeFirst(head)
                    head = 0
                }
                return send
            }
        }
        order.removeAll(keepingCapacity: true)
        head = 0
        return nil
    }

    /// Empties the queue, oldest first.
    mutating func removeAll() -> [CurlPendingSend] {
        var all: [CurlPendingSend] = []
        while let send = popFirst() { all.append(send) }
        return all
    }
}
