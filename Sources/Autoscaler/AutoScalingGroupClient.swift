import AWSClientRuntime
import AWSSigV4
import AsyncHTTPClient
import Foundation
import Logging

/// Reads an EC2 Auto Scaling group's `InService` instance count (`DescribeAutoScalingGroups`, query protocol,
/// signed with our SigV4): the denominator of `BacklogPerInstance` in the CloudWatch mode.
public struct AutoScalingGroupClient: Sendable {
    /// EC2 Auto Scaling: signing name `autoscaling`, `AWS_ENDPOINT_URL_AUTO_SCALING`.
    public static let service = AWSService(signingName: "autoscaling", endpointVariableSuffix: "AUTO_SCALING", hostPrefix: "autoscaling")

    let http: AWSHTTPClient

    /// A client for `configuration` (e.g. `AWSClientConfiguration(service: AutoScalingGroupClient.service)`).
    public init(configuration: AWSClientConfiguration, httpClient: HTTPClient = .aws, logger: Logger = Logger(label: "VideoQueue.AutoScaling")) {
        http = AWSHTTPClient(configuration: configuration, service: Self.service, httpClient: httpClient, logger: logger,
                             errorDecoder: QueryProtocol.decodeError)
    }

    /// The number of the group's instances whose lifecycle state is `InService`.
    /// - Throws: ``AutoscalerError`` (`autoScaling`) when the group does not exist or AWS answers an error.
    public func inServiceCount(group: String) async throws -> Int {
        let request = QueryProtocol.request(action: "DescribeAutoScalingGroups", version: "2011-01-01",
                                            parameters: [("AutoScalingGroupNames.member.1", group)])
        let response = try await http.send(request)
        guard response.isSuccess else {
            let details = http.decodeError(response)
            throw AutoscalerError(code: .autoScaling, message: "DescribeAutoScalingGroups: \(details.code): \(details.message)")
        }
        let text = String(buffer: response.body)
        guard QueryProtocol.element("AutoScalingGroupName", in: text) != nil else {
            throw AutoscalerError(code: .autoScaling, message: "no Auto Scaling group named \(group)")
        }
        return QueryProtocol.elements("LifecycleState", in: text).filter { $0 == "InService" }.count
    }
}
