import AWSClientRuntime
import AWSSigV4
import AsyncHTTPClient
import Foundation
import Logging

/// The EC2 Auto Scaling operations VideoQueue uses (query protocol, signed with our SigV4): the group's `InService`
/// instance count for the autoscaler, and the lifecycle-hook calls a consumer makes while its instance is being
/// terminated (`RecordLifecycleActionHeartbeat` while it drains, `CompleteLifecycleAction` once it has).
public struct AutoScalingGroupClient: Sendable {
    /// EC2 Auto Scaling: signing name `autoscaling`, `AWS_ENDPOINT_URL_AUTO_SCALING`.
    public static let service = AWSService(signingName: "autoscaling", endpointVariableSuffix: "AUTO_SCALING", hostPrefix: "autoscaling")
    static let version = "2011-01-01"

    let http: AWSHTTPClient

    /// A client for `configuration` (e.g. `AWSClientConfiguration(service: AutoScalingGroupClient.service)`).
    public init(configuration: AWSClientConfiguration, httpClient: HTTPClient = .aws, logger: Logger = Logger(label: "videoqueue.autoscaling")) {
        http = AWSHTTPClient(
            configuration: configuration, service: Self.service, httpClient: httpClient, logger: logger,
            errorDecoder: QueryProtocol.decodeError)
    }

    /// The number of the group's instances whose lifecycle state is `InService`.
    /// - Throws: ``AutoScalingError`` (`noSuchGroup`, `failed`), or the transport's error.
    public func inServiceCount(group: String) async throws -> Int {
        let text = try await send("DescribeAutoScalingGroups", [("AutoScalingGroupNames.member.1", group)])
        guard QueryProtocol.element("AutoScalingGroupName", in: text) != nil else {
            throw AutoScalingError(code: .noSuchGroup, message: "no Auto Scaling group named \(group)")
        }
        return QueryProtocol.elements("LifecycleState", in: text).filter { $0 == "InService" }.count
    }

    /// Ends the wait of `instance` in the lifecycle hook `hook` of `group` with `result` (`CONTINUE` lets the
    /// termination proceed at once).
    /// - Throws: ``AutoScalingError`` (`noActiveLifecycleAction` when none waits), or the transport's error.
    public func completeLifecycleAction(group: String, hook: String, instance: String, result: String = "CONTINUE") async throws {
        _ = try await send(
            "CompleteLifecycleAction",
            [
                ("AutoScalingGroupName", group), ("InstanceId", instance),
                ("LifecycleActionResult", result), ("LifecycleHookName", hook),
            ])
    }

    /// Restarts the hook's heartbeat timeout for `instance` (while a drain takes longer than the hook's timeout).
    /// - Throws: ``AutoScalingError`` (`noActiveLifecycleAction` when none waits), or the transport's error.
    public func recordLifecycleActionHeartbeat(group: String, hook: String, instance: String) async throws {
        _ = try await send(
            "RecordLifecycleActionHeartbeat",
            [
                ("AutoScalingGroupName", group), ("InstanceId", instance),
                ("LifecycleHookName", hook),
            ])
    }

    /// Sends one action and returns the answer's text; an error answer becomes an ``AutoScalingError``.
    private func send(_ action: String, _ parameters: [(String, String)]) async throws -> String {
        let response = try await http.send(QueryProtocol.request(action: action, version: Self.version, parameters: parameters))
        guard response.isSuccess else {
            let details = http.decodeError(response)
            let code: AutoScalingError.Code =
                details.message.localizedCaseInsensitiveContains("no active lifecycle action")
                ? .noActiveLifecycleAction : .failed
            throw AutoScalingError(code: code, message: "\(action): \(details.code): \(details.message)")
        }
        return String(buffer: response.body)
    }
}
