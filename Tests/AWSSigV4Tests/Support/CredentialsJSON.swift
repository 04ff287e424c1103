import Foundation

/// Builds the credentials documents that the ECS endpoint and IMDS return.
enum CredentialsJSON {
    /// `2027-01-15T09:00:00Z`-style text for `date`.
    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A document with the given fields; `code` is included only when given (IMDS has it, ECS does not).
    static func document(
        accessKeyID: String,
        secretAccessKey: String,
        token: String,
        expiration: Date,
        code: String? = nil
    ) -> String {
        var fields: [String] = []
        if let code {
            fields.append(#""Code": "\#(code)""#)
            fields.append(#""LastUpdated": "\#(iso8601(expiration.addingTimeInterval(-3600)))""#)
            fields.append(#""Type": "AWS-HMAC""#)
        }
        fields.append(#""AccessKeyId": "\#(accessKeyID)""#)
        fields.append(#""SecretAccessKey": "\#(secretAccessKey)""#)
        fields.append(#""Token": "\#(token)""#)
        fields.append(#""Expiration": "\#(iso8601(expiration))""#)
        return "{\n  " + fields.joined(separator: ",\n  ") + "\n}"
    }
}
