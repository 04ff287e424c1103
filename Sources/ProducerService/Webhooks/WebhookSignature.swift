import Crypto
import Foundation

/// Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` where the key
/// is the base64 part of a `whsec_` secret; one signature per secret, space-separated (during a rotation a delivery
/// carries both).
enum WebhookSignature {
    /// The `webhook-signature` value for `secrets`; secrets that are not `whsec_` + base64 are skipped.
    static func header(id: String, timestamp: Int64, body: String, secrets: [String]) -> String {
        let content = Data("\(id).\(timestamp).\(body)".utf8)
        return secrets.compactMap { secret -> String? in
            guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) else { return nil }
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
            return "v1," + Data(mac).base64EncodedString()
        }.joined(separator: " ")
    }
}
