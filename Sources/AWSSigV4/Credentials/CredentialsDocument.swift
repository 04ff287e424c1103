import Foundation

/// The JSON document the ECS container endpoint and EC2 instance metadata service return:
/// `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (ISO 8601) and, from IMDS, `Code`.
///
/// Decoding errors never include the document's text or the decoder's message, either of which
/// could contain a secret.
struct CredentialsDocument: Decodable, Sendable {
    var code: String?
    var accessKeyID: String?
    var secretAccessKey: String?
    var token: String?
    var expiration: String?

    enum CodingKeys: String, CodingKey {
        case code = "Code"
        case accessKeyID = "AccessKeyId"
        case secretAccessKey = "SecretAccessKey"
        case token = "Token"
        case expiration = "Expiration"
    }

    /// Decodes a document received from `source` (a description of the endpoint for messages).
    static func decode(_ text: String, provider: String, source: String) throws(CredentialsError) -> CredentialsDocument {
        do {
            return try JSONDecoder().decode(CredentialsDocument.self, from: Data(text.utf8))
        } catch {
            throw CredentialsError(
                code: .invalidResponse,
                message: "the response from \(source) is not a valid credentials JSON document",
                provider: provider
            )
        }
    }

    /// The credentials the document holds.
    ///
    /// - Throws: ``CredentialsError/Code/invalidResponse`` when a key or the secret is missing,
    ///   or the expiration is not an ISO 8601 date.
    func credentials(provider: String, source: String) throws(CredentialsError) -> Credentials {
        func invalid(_ reason: String) -> CredentialsError {
            CredentialsError(
                code: .invalidResponse,
                message: "the response from \(source) \(reason)",
                provider: provider
            )
        }
        guard let accessKeyID = Self.nonEmpty(accessKeyID) else { throw invalid("has no AccessKeyId") }
        guard let secretAccessKey = Self.nonEmpty(secretAccessKey) else { throw invalid("has no SecretAccessKey") }
        var expirationDate: Date?
        if let expiration = Self.nonEmpty(expiration) {
            guard let date = Self.parseISO8601(expiration) else {
                throw invalid("has an Expiration that is not an ISO 8601 date")
            }
            expirationDate = date
        }
        return Credentials(
            accessKeyID: accessKeyID,
            secretAccessKey: secretAccessKey,
            sessionToken: Self.nonEmpty(token),
            expiration: expirationDate
        )
    }

    /// Parses `2026-11-23T20:00:00Z`, with or without fractional seconds.
    static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
