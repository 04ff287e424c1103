/// Frames a body as `aws-chunked`, as its ``StreamingPayload`` declared, from buffers of any size.
///
/// Feed the body with ``encode(_:)`` (it returns the framed bytes of every chunk completed so far, and
/// holds at most one chunk), then call ``finish()`` for the last partial chunk, the final empty chunk and,
/// for `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, the checksum trailer. The byte count is checked against the
/// declared length, because the signed `Content-Length` depends on it.
public struct AWSChunkedEncoder: Sendable {
    private let payload: StreamingPayload
    private var signer: ChunkSigner
    private var checksum: RunningChecksum?
    private var pending: [UInt8] = []
    private var consumed = 0

    /// The bytes of the body consumed so far.
    public var bytesConsumed: Int { consumed }

    init(payload: StreamingPayload, signer: ChunkSigner) {
        self.payload = payload
        self.signer = signer
        if case .unsignedWithTrailer(let algorithm) = payload.mode {
            checksum = RunningChecksum(algorithm)
        }
        pending.reserveCapacity(payload.chunkSize)
    }

    /// Consumes `bytes` and returns the framing of every chunk they complete (possibly nothing).
    public mutating func encode(_ bytes: UnsafeRawBufferPointer) throws(SigV4Error) -> [UInt8] {
        consumed += bytes.count
        guard consumed <= payload.decodedLength else {
            throw SigV4Error(code: .payloadLengthMismatch, message: "the body is longer than the \(payload.decodedLength) bytes it declared")
        }
        var output: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let take = min(payload.chunkSize - pending.count, bytes.count - offset)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
            if pending.count == payload.chunkSize {
                if output.isEmpty { output.reserveCapacity(payload.chunkSize + 128) }
                appendFrame(of: pending, to: &output)
                pending.removeAll(keepingCapacity: true)
            }
        }
        return output
    }

    /// Consumes the bytes of `bytes`.
    public mutating func encode(_ bytes: some Sequence<UInt8>) throws(SigV4Error) -> [UInt8] {
        let contiguous = Array(bytes)
        var result: Result<[UInt8], SigV4Error> = .success([])
        contiguous.withUnsafeBytes { buffer in
            do throws(SigV4Error) { result = .success(try encode(buffer)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// Ends the body: the last partial chunk, the final empty chunk and the trailer.
    public mutating func finish() throws(SigV4Error) -> [UInt8] {
        guard consumed == payload.decodedLength else {
            throw SigV4Error(code: .payloadLengthMismatch, message: "the body ended after \(consumed) of the \(payload.decodedLength) bytes it declared")
        }
        var output: [UInt8] = []
        if !pending.isEmpty {
            appendFrame(of: pending, to: &output)
            pending.removeAll()
        }
        appendFrame(of: [], to: &output)
        if let checksum {
            output.append(contentsOf: "\(checksum.algorithm.headerName):\(checksum.base64)\r\n\r\n".utf8)
        }
        return output
    }

    private mutating func appendFrame(of chunk: [UInt8], to output: inout [UInt8]) {
        output.append(contentsOf: String(chunk.count, radix: 16).utf8)
        switch payload.mode {
        case .signedChunks:
            output.append(contentsOf: ";chunk-signature=".utf8)
            output.append(contentsOf: signer.sign(chunk: chunk).utf8)
            output.append(contentsOf: "\r\n".utf8)
        case .unsignedWithTrailer:
            chunk.withUnsafeBytes { checksum?.update($0) }
            output.append(contentsOf: "\r\n".utf8)
            if chunk.isEmpty { return }  // the final "0\r\n" is followed by the trailer
        }
        output.append(contentsOf: chunk)
        output.append(contentsOf: "\r\n".utf8)
    }
}
