import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import VideoStore

/// An `Idempotency-Key` on a POST that creates something (an upload, a direct upload): the first request under the
/// key runs and its result is kept for 24 hours per owner; a repeat with the same content gets that result instead
/// of creating a second one; the key on a different request is `422`, and while the first still runs a repeat is
/// `409`. A first request that fails releases the key, so a retry runs again.
struct Idempotency: Sendable {
    /// What ``run(_:)`` answers with: the status and body the first request produced, and whether this is a replay.
    struct Result: Sendable {
        var status: Int
        var response: String
        var replayed: Bool
    }

    let store: any VideoStore
    let owner: String
    let key: String
    let fingerprint: String

    /// The longest key (Stripe's limit).
    static let maximumKeyBytes = 255

    /// The request's `Idempotency-Key`, or `nil` when it sends none.
    /// - Throws: `400 invalid_idempotency_key` when it is empty, longer than 255 bytes or not printable ASCII.
    static func key(in request: Request) throws -> String? {
        guard let name = HTTPField.Name("Idempotency-Key"), let value = request.headers[name] else { return nil }
        guard !value.isEmpty, value.utf8.count <= maximumKeyBytes, value.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw APIError.badRequest("Idempotency-Key must be 1…\(maximumKeyBytes) printable ASCII characters", code: "invalid_idempotency_key")
        }
        return value
    }

    /// A fingerprint of what makes two requests the same: SHA-256 over `parts`.
    static func fingerprint(_ parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Runs `body` for the first request under the key, or answers what it answered.
    func run(_ body: () async throws -> (status: Int, response: String)) async throws -> Result {
        switch try await store.reserveIdempotencyKey(owner: owner, key: key, fingerprint: fingerprint, now: Date()) {
        case .completed(let status, let response):
            return Result(status: status, response: response, replayed: true)
        case .inProgress:
            throw APIError(
                .conflict, code: "idempotency_key_in_progress",
                message: "a request with this Idempotency-Key is still being processed; retry later")
        case .mismatch:
            throw APIError(
                .unprocessableContent, code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request")
        case .reserved:
            let result: (status: Int, response: String)
            do {
                result = try await body()
            } catch {
                try? await store.releaseIdempotencyKey(owner: owner, key: key)
                throw error
            }
            try await store.completeIdempotencyKey(owner: owner, key: key, status: result.status, response: result.response)
            return Result(status: result.status, response: result.response, replayed: false)
        }
    }
}
