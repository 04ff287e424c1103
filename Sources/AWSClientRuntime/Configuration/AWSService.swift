/// What the HTTP layer needs to know about a service: its signing name, the suffix of its
/// `AWS_ENDPOINT_URL_<SERVICE>` variable and its public endpoint in a region.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 signing name, e.g. `sqs`.
    public var signingName: String
    /// The service id used in `AWS_ENDPOINT_URL_<ID>`, e.g. `SQS`.
    public var endpointVariableSuffix: String
    /// The hostname prefix of the public endpoint, e.g. `sqs` for `sqs.us-east-1.amazonaws.com`.
    public var hostPrefix: String

    public init(signingName: String, endpointVariableSuffix: String, hostPrefix: String) {
        self.signingName = signingName
        self.endpointVariableSuffix = endpointVariableSuffix
        self.hostPrefix = hostPrefix
    }

    /// Amazon SQS.
    public static let sqs = AWSService(signingName: "sqs", endpointVariableSuffix: "SQS", hostPrefix: "sqs")
    /// Amazon S3.
    public static let s3 = AWSService(signingName: "s3", endpointVariableSuffix: "S3", hostPrefix: "s3")
    /// Amazon CloudWatch (metrics).
    public static let cloudWatch = AWSService(signingName: "monitoring", endpointVariableSuffix: "CLOUDWATCH", hostPrefix: "monitoring")

    /// The public endpoint in `region` (`.amazonaws.com.cn` in the China regions).
    public func defaultEndpoint(region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(hostPrefix).\(region).\(suffix)")
    }
}
