import NIOCore
import NIOHTTP1

/// Reads each HTTP/1.1 request whole (up to the body limit), asks the `Bank`, and writes the
/// answer after the configured latency. One instance per connection; keep-alive is honoured.
final class SimulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let bank: Bank
    private let latency: TimeAmount
    private let bodyLimit: Int

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false

    init(bank: Bank, latency: TimeAmount, bodyLimit: Int) {
        self.bank = bank
        self.latency = latency
        self.bodyLimit = bodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            bodyTooLarge = false
            // libcurl asks before sending a large body and otherwise waits a second for this.
            if requestHead.headers[canonicalForm: "Expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: requestHead.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(let part):
            guard !bodyTooLarge else { return }
            if body.count + part.readableBytes > bodyLimit {
                bodyTooLarge = true
                body = []
            } else {
                body.append(contentsOf: part.readableBytesView)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let began = bank.concurrency.began()
            let answer: SimulatorAnswer
            if bodyTooLarge {
                answer = .respond(.json(
                    status: 413,
                    ["responseCode": "4130000",
                     "responseMessage": .string("\(SNAPStatus.payloadTooLarge.message): the limit is \(bodyLimit) bytes")],
                    closeConnection: true))
            } else {
                answer = bank.handle(SimulatorRequest(
                    method: requestHead.method, uri: requestHead.uri, headers: requestHead.headers, body: body))
            }
            body = []
            deliver(answer, for: requestHead, began: began, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func deliver(_ answer: SimulatorAnswer, for request: HTTPRequestHead, began: NIODeadline, context: ChannelHandlerContext) {
        guard latency > .zero else {
            write(answer, for: request, context: context)
            bank.concurrency.ended(startedAt: began)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: latency) {
            self.write(answer, for: request, context: context)
            self.bank.concurrency.ended(startedAt: began)
        }
    }

    private func write(_ answer: SimulatorAnswer, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        switch answer {
        case .dropConnection:
            context.close(promise: nil)
        case .respond(let response):
            let close = response.closeConnection || !request.isKeepAlive
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: String(response.body.readableBytes))
            headers.add(name: "X-TIMESTAMP", value: SNAPTimestamp.now().text)
            for header in response.headers { headers.add(name: header.name, value: header.value) }
            headers.add(name: "Connection", value: close ? "close" : "keep-alive")
            let head = HTTPResponseHead(
                version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if close {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
