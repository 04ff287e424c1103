extension VideoStoreError.Code {
    /// The database cannot be reached now: no connection within the limit, the connection lost, or (RDS IAM
    /// authentication) no token yet because the AWS credentials are not available. Retrying later may work; the
    /// producer answers `503`, the services report themselves not ready meanwhile.
    public static let unavailable = VideoStoreError.Code(rawValue: "unavailable")
}
