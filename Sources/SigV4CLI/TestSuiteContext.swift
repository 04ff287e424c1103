import AWSSigV4
import Foundation

/// The signing parameters of an AWS SigV4 test-suite case (`context.json`).
public struct TestSuiteContext: Sendable, Equatable {
    /// The credentials (with an optional session token).
    public var credentials: Credentials
    /// The region, e.g. `us-east-1`.
    public var region: String
    /// The service signing name; `s3` selects S3's rules.
    public var service: String
    /// The signing time.
    public var timestamp: Date
    /// Whether the path is normalized (ignored for S3, which never normalizes).
    public var normalize: Bool
    /// Whether `x-amz-content-sha256` is added and signed.
    public var signBody: Bool
    /// The lifetime of a presigned URL.
    public var expirationInSeconds: Int
    /// Whether the session token is added after signing instead of being signed.
    public var omitSessionToken: Bool

    /// The signer these parameters describe.
    public var signer: SigV4Signer {
        var options = SigV4Signer.Options(service: service)
        if service != "s3" {
            options.normalizePath = normalize
            options.addContentSHA256Header = signBody
        }
        options.sessionTokenPlacement = omitSessionToken ? .afterSigning : .signed
        return SigV4Signer(credentials: credentials, region: region, service: service, options: options)
    }

    /// Parses the JSON of a `context.json`; `source` names the input in errors.
    public init(parsing bytes: [UInt8], source: String = "context") throws(CLIError) {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw CLIError("\(source): not valid JSON")
        }
        guard let object = json as? [String: Any] else { throw CLIError("\(source): expected a JSON object") }

        func value<T>(_ key: String, in object: [String: Any], as type: T.Type, path: String? = nil) throws(CLIError) -> T {
            let name = path.map { "\($0).\(key)" } ?? key
            guard let raw = object[key] else { throw CLIError("\(source): missing key '\(name)'") }
            guard let typed = raw as? T, !(raw is Bool && T.self != Bool.self) else {
                throw CLIError("\(source): key '\(name)' has the wrong type")
            }
            return typed
        }
        func optional<T>(_ key: String, in object: [String: Any], as type: T.Type, default fallback: T) throws(CLIError) -> T {
            guard object[key] != nil, !(object[key] is NSNull) else { return fallback }
            return try value(key, in: object, as: type)
        }

        let credentials = try value("credentials", in: object, as: [String: Any].self)
        let accessKeyID = try value("access_key_id", in: credentials, as: String.self, path: "credentials")
        let secret = try value("secret_access_key", in: credentials, as: String.self, path: "credentials")
        var token: String?
        if credentials["token"] != nil, !(credentials["token"] is NSNull) {
            token = try value("token", in: credentials, as: String.self, path: "credentials")
        }
        guard !accessKeyID.isEmpty, !secret.isEmpty else {
            throw CLIError("\(source): credentials.access_key_id and credentials.secret_access_key must not be empty")
        }
        let timestampText = try value("timestamp", in: object, as: String.self)
        guard let timestamp = AMZDate.parse(timestampText) else {
            throw CLIError("\(source): bad timestamp '\(timestampText)' (expected e.g. 2015-08-30T12:36:00Z or 20150830T123600Z)")
        }
        let region = try value("region", in: object, as: String.self)
        let service = try value("service", in: object, as: String.self)
        guard !region.isEmpty, !service.isEmpty else { throw CLIError("\(source): region and service must not be empty") }
        let expiration = try optional("expiration_in_seconds", in: object, as: Int.self, default: 3600)

        self.credentials = Credentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token)
        self.region = region
        self.service = service
        self.timestamp = timestamp
        self.normalize = try optional("normalize", in: object, as: Bool.self, default: true)
        self.signBody = try optional("sign_body", in: object, as: Bool.self, default: false)
        self.expirationInSeconds = expiration
        self.omitSessionToken = try optional("omit_session_token", in: object, as: Bool.self, default: false)
    }

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws(CLIError) {
        try self.init(parsing: try readFile(path, what: "context file"), source: path)
    }
}
