/// What a ``SigV4Signature`` holds, in one allocation: the canonical request's bytes, the hex signature after them,
/// and the date, key and streaming body the signature was made with.
///
/// One object instead of a dozen fields: returning, copying and dropping a signature costs one reference count, and
/// its strings (`signature`, `signedHeaders`, the string to sign) are only made when asked for.
final class SignatureStorage: ManagedBuffer<SignatureStorage.Header, UInt8> {
    /// The fields beside the bytes.
    struct Header {
        var date: AMZDate
        var signingKey: SigningKey
        var streaming: StreamingPayload?
        /// The canonical request is bytes `0..<canonicalCount`; the 64 hex digits of the signature follow.
        var canonicalCount = 0
        /// Where the signed header names stand in the canonical request.
        var signedHeaders = 0..<0
    }

    /// Storage for a canonical request of at most `capacity` bytes, which `body` writes and whose signed header names it
    /// returns the place of; the caller then signs it with ``sign()``.
    static func make(
        capacity: Int, date: AMZDate, signingKey: SigningKey, streaming: StreamingPayload?,
        _ body: (inout ByteWriter) -> Range<Int>
    ) -> SignatureStorage {
        let storage = allocate(capacity: capacity, date: date, signingKey: signingKey, streaming: streaming)
        var writer = storage.canonicalWriter()
        let signedHeaders = body(&writer)
        storage.finish(count: writer.count, signedHeaders: signedHeaders)
        return storage
    }

    /// Empty storage for a canonical request of at most `capacity` bytes, to be written through ``canonicalWriter()`` and
    /// closed with ``finish(count:signedHeaders:)``.
    static func allocate(capacity: Int, date: AMZDate, signingKey: SigningKey, streaming: StreamingPayload?) -> SignatureStorage {
        let storage = unsafeDowncast(
            create(minimumCapacity: capacity + 64) { _ in
                Header(date: date, signingKey: signingKey, streaming: streaming)
            }, to: SignatureStorage.self)
        storage.header.canonicalCount = capacity  // the room, until finish(count:signedHeaders:)
        return storage
    }

    /// A writer into the room for the canonical request; the caller keeps `self` alive while writing.
    func canonicalWriter() -> ByteWriter {
        let capacity = header.canonicalCount
        return withUnsafeMutablePointerToElements { ByteWriter(start: $0, capacity: capacity) }
    }

    /// Records what ``canonicalWriter()`` wrote: `count` bytes, the signed header names at `signedHeaders`.
    func finish(count: Int, signedHeaders: Range<Int>) {
        precondition(count <= header.canonicalCount, "SignatureStorage: canonical request larger than its room")
        header.canonicalCount = count
        header.signedHeaders = signedHeaders
    }

    /// Hashes the canonical request, signs its string to sign and writes the hex signature after it.
    func sign() {
        withUnsafeMutablePointers { header, bytes in
            let count = header.pointee.canonicalCount
            let mac = header.pointee.signingKey.sign(
                canonicalRequest: UnsafeBufferPointer(start: bytes, count: count),
                timestamp: header.pointee.date.timestamp)
            Hex.write(mac, to: UnsafeMutableBufferPointer(start: bytes + count, count: 64))
        }
    }

    /// Calls `body` with the canonical request's bytes, the signed header names' range in them and the hex signature.
    func withBytes<Result>(
        _ body: (
            _ canonical: UnsafeBufferPointer<UInt8>, _ signedHeaders: Range<Int>,
            _ signature: UnsafeBufferPointer<UInt8>
        ) throws -> Result
    ) rethrows -> Result {
        try withUnsafeMutablePointers { header, bytes in
            let count = header.pointee.canonicalCount
            return try body(
                UnsafeBufferPointer(start: bytes, count: count), header.pointee.signedHeaders,
                UnsafeBufferPointer(start: bytes + count, count: 64))
        }
    }
}
