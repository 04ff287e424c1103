import Foundation

/// The IAM authentication token of Amazon RDS and Aurora (what `aws rds generate-db-auth-token` and botocore's
/// `generate_db_auth_token` make): a SigV4-presigned `GET https://host:port/?Action=connect&DBUser=user` for the
/// `rds-db` service, valid 15 minutes, without its scheme. It is the password of one connection attempt; each new
/// connection needs a token that has not expired.
///
/// ```swift
/// let password = try RDSAuthToken.make(host: "db.abc.us-east-1.rds.amazonaws.com", port: 5432, user: "videoqueue",
///                                      region: "us-east-1", credentials: try await provider.credentials())
/// ```
public enum RDSAuthToken {
    /// How long a token is valid (RDS's fixed 15 minutes).
    public static let lifetime = 900

    /// A token for `user` at `host:port`.
    /// - Throws: ``SigV4Error`` when the host cannot be part of a URL.
    public static func make(
        host: String, port: Int, user: String, region: String, credentials: Credentials,
        date: Date = Date()
    ) throws(SigV4Error) -> String {
        var encoded: [UInt8] = []
        URIEncoding.append(Array(user.utf8), keepSlash: false, to: &encoded)
        let request = SigV4Request(
            method: "GET", scheme: "https", host: "\(host):\(port)", path: "/",
            query: "Action=connect&DBUser=" + String(decoding: encoded, as: UTF8.self))
        let url = try SigV4Signer(credentials: credentials, region: region, service: "rds-db").presignedURL(request, expires: lifetime, date: date)
        return String(url.dropFirst("https://".count))
    }
}
