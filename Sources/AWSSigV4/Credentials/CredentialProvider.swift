/// Something that can produce AWS credentials: static keys, the environment, the shared files,
/// the ECS container endpoint or the EC2 instance metadata service.
///
/// Providers are asked for credentials before every request; implementations that fetch them over
/// the network cache them and refresh ahead of expiry.
public protocol CredentialProvider: Sendable {
    /// A short name for logs and errors, e.g. `"environment"` or `"imds"`.
    var name: String { get }

    /// Returns usable credentials or throws a ``CredentialsError`` saying why there are none.
    func credentials() async throws -> Credentials
}
