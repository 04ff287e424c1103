import AWSClientRuntime
import AWSSigV4
import AsyncHTTPClient
import NIOCore

extension S3Client {
    /// How streamed bodies are signed on this client's endpoint.
    var resolvedPayloadSigning: S3ClientOptions.PayloadSigning {
        if case .automatic = options.payloadSigning {
            return endpoint.isSecure ? .unsigned : .signedChunks
        }
        return options.payloadSigning
    }

    /// A replayable body streaming `length` bytes of `file` from `offset`, signed as the options say.
    func fileBody(_ file: LocalFile, offset: Int64, length: Int64) throws -> AWSRequestBody {
        let region = FileRegionSequence(file: file, offset: offset, length: length, readSize: options.fileReadSize)
        let streaming: StreamingPayload
        switch resolvedPayloadSigning {
        case .automatic, .unsigned:
            return .stream(payload: .unsigned, length: Int(length), replayable: true) { _ in
                .stream(region, length: .known(length))
            }
        case .signedChunks:
            streaming = try .signed(decodedLength: Int(length), chunkSize: options.chunkSize)
        case .unsignedWithChecksumTrailer(let algorithm):
            streaming = try .unsignedTrailer(decodedLength: Int(length), checksum: algorithm, chunkSize: options.chunkSize)
        }
        let encodedLength = Int64(streaming.encodedLength)
        return .stream(payload: .streaming(streaming), length: streaming.encodedLength, replayable: true) { signature in
            // The signature of a streaming payload always has an encoder; an empty body is the fallback that S3 rejects.
            guard let encoder = signature.chunkedEncoder() else { return .bytes(ByteBuffer()) }
            return .stream(AWSChunkedSequence(base: region, encoder: encoder), length: .known(encodedLength))
        }
    }
}
