import Crypto

/// The SigV4 signing key (task 3):
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`,
/// valid for one day, region and service.
public struct SigningKey: Sendable {
    /// The key and its scope, shared: copying a signing key costs one retain.
    private final class Storage: Sendable {
        let hmac: HMACKey
        let credentialScope: String
        let credentialScopeBytes: [UInt8]

        init(hmac: HMACKey, credentialScope: String) {
            self.hmac = hmac
            self.credentialScope = credentialScope
            self.credentialScopeBytes = Array(credentialScope.utf8)
        }
    }

    private let storage: Storage

    /// The key, as pre-keyed HMAC states.
    var hmac: HMACKey { storage.hmac }
    /// The credential scope this key signs for, `day/region/service/aws4_request`, computed once with the key.
    var credentialScope: String { storage.credentialScope }
    /// ``credentialScope``'s bytes.
    var credentialScopeBytes: [UInt8] { storage.credentialScopeBytes }

    /// Derives the key (four HMACs). Prefer ``SigningKeyCache`` on hot paths.
    public init(secretAccessKey: String, day: String, region: String, service: String) {
        storage = Storage(
            hmac: HMACKey(key: "AWS4" + secretAccessKey).derive(day).derive(region).derive(service).derive("aws4_request"),
            credentialScope: "\(day)/\(region)/\(service)/aws4_request")
    }

    /// The signature (the HMAC of the string to sign) of `canonicalRequest`, signed at `timestamp`; the string to sign is
    /// written in temporary memory.
    func sign(canonicalRequest: UnsafeBufferPointer<UInt8>, timestamp: String) -> SHA256.Digest {
        var hash = SHA256()
        hash.update(bufferPointer: UnsafeRawBufferPointer(canonicalRequest))
        let digest = hash.finalize()
        let scope = storage.credentialScopeBytes
        let size = StringToSign.size(timestamp: timestamp, credentialScope: scope)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            var output = ByteWriter(buffer)
            StringToSign.write(timestamp: timestamp, credentialScope: scope, canonicalRequestHash: digest, to: &output)
            return storage.hmac.authenticationCode(for: UnsafeRawBufferPointer(output.written))
        }
    }

    /// Writes a canonical request of at most `capacity` bytes with `write`, in temporary memory, signs it at `timestamp`
    /// and returns what `body` makes of the canonical request, what `write` returned and the hex signature.
    func signInTemporaryMemory<Written, Result>(
        capacity: Int, timestamp: String, write: (inout ByteWriter) -> Written,
        _ body: (
            _ canonical: UnsafeBufferPointer<UInt8>, _ written: Written,
            _ signature: UnsafeBufferPointer<UInt8>
        ) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity + 64) { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("temporary allocation without memory") }
            var output = ByteWriter(start: base, capacity: capacity)
            let written = write(&output)
            let canonical = output.written
            let signature = UnsafeMutableBufferPointer(start: base + canonical.count, count: 64)
            Hex.write(sign(canonicalRequest: canonical, timestamp: timestamp), to: signature)
            return body(canonical, written, UnsafeBufferPointer(signature))
        }
    }

    /// The hex signature of `stringToSign`.
    public func signature(for stringToSign: StringToSign) -> String {
        stringToSign.storage.withBytes { hmac.authenticationCode(for: UnsafeRawBufferPointer($0)) }.hexString
    }
}
