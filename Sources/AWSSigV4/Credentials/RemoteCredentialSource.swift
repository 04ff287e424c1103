/// The state of a provider that fetches credentials over the network (ECS, IMDS): either it is
/// unusable for a reason found at configuration time, or it fetches through a refreshing cache.
enum RemoteCredentialSource: Sendable {
    case unusable(CredentialsError)
    case ready(RefreshingCredentialProvider)

    /// Throws the configuration error, or returns the cache's credentials.
    func credentials() async throws -> Credentials {
        switch self {
        case .unusable(let error):
            throw error
        case .ready(let cache):
            return try await cache.credentials()
        }
    }
}
