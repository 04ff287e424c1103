import AWSClientRuntime
import AWSQuery
import AWSSigV4
import AsyncHTTPClient
import Foundation
import Logging

/// The two CloudWatch operations the autoscaler needs, over the query protocol, signed with our SigV4
/// through `AWSHTTPClient` (retries, clock skew): `PutMetricData` and `ListMetrics`.
public struct CloudWatchClient: Sendable {
    let http: AWSHTTPClient

    /// A client for `configuration` (e.g. `AWSClientConfiguration(service: .cloudWatch)`: `AWS_REGION`,
    /// `AWS_ENDPOINT_URL_CLOUDWATCH` or `AWS_ENDPOINT_URL`, the default credential chain).
    public init(configuration: AWSClientConfiguration, httpClient: HTTPClient = .aws, logger: Logger = Logger(label: "videoqueue.cloudwatch")) {
        http = AWSHTTPClient(
            configuration: configuration, service: .cloudWatch, httpClient: httpClient, logger: logger,
            errorDecoder: QueryProtocol.decodeError)
    }

    /// The most values one `PutMetricData` call takes.
    public static let maximumDataPerCall = 1000

    /// Publishes `data` in `namespace` (split into calls of at most 1000 values).
    /// - Throws: ``AutoscalerError`` (`cloudWatch`) with CloudWatch's code, or `AWSTransportError`.
    public func putMetricData(_ data: [MetricDatum], namespace: String) async throws {
        var start = 0
        while start < data.count {
            let chunk = data[start..<min(data.count, start + Self.maximumDataPerCall)]
            _ = try await call("PutMetricData", Self.parameters(for: Array(chunk), namespace: namespace))
            start += chunk.count
        }
    }

    /// The form parameters of one `PutMetricData` call (without `Action` and `Version`).
    public static func parameters(for data: [MetricDatum], namespace: String) -> [(String, String)] {
        var parameters: [(String, String)] = [("Namespace", namespace)]
        let formatter = ISO8601DateFormatter()
        for (index, datum) in data.enumerated() {
            let prefix = "MetricData.member.\(index + 1)."
            parameters.append((prefix + "MetricName", datum.name))
            parameters.append((prefix + "Value", Self.number(datum.value)))
            parameters.append((prefix + "Unit", datum.unit))
            if let timestamp = datum.timestamp { parameters.append((prefix + "Timestamp", formatter.string(from: timestamp))) }
            for (dimensionIndex, dimension) in datum.dimensions.enumerated() {
                let dimensionPrefix = prefix + "Dimensions.member.\(dimensionIndex + 1)."
                parameters.append((dimensionPrefix + "Name", dimension.name))
                parameters.append((dimensionPrefix + "Value", dimension.value))
            }
        }
        return parameters
    }

    /// A metric as `ListMetrics` returns it.
    public struct Metric: Sendable, Hashable {
        /// The metric name.
        public var name: String
        /// Its dimensions.
        public var dimensions: [String: String]
    }

    /// The metrics of `namespace` (optionally only `name`), following pagination.
    public func listMetrics(namespace: String, name: String? = nil) async throws -> [Metric] {
        var metrics: [Metric] = []
        var token: String?
        repeat {
            var parameters: [(String, String)] = [("Namespace", namespace)]
            if let name { parameters.append(("MetricName", name)) }
            if let token { parameters.append(("NextToken", token)) }
            let text = try await call("ListMetrics", parameters)
            let list = QueryProtocol.element("Metrics", in: text) ?? ""
            for member in Self.topLevelMembers(list) {
                let dimensionsText = QueryProtocol.element("Dimensions", in: member) ?? ""
                let names = QueryProtocol.elements("Name", in: dimensionsText)
                let values = QueryProtocol.elements("Value", in: dimensionsText)
                let metricName = QueryProtocol.element("MetricName", in: member) ?? ""
                metrics.append(Metric(name: metricName, dimensions: Dictionary(zip(names, values), uniquingKeysWith: { first, _ in first })))
            }
            token = QueryProtocol.element("NextToken", in: text).flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return metrics
    }

    /// The `<member>` elements directly inside `text` (metrics contain nested dimension members).
    static func topLevelMembers(_ text: String) -> [String] {
        var members: [String] = []
        var depth = 0
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix("<member>") {
                if depth == 0 { start = text.index(index, offsetBy: 8) }
                depth += 1
                index = text.index(index, offsetBy: 8)
            } else if text[index...].hasPrefix("</member>") {
                depth -= 1
                if depth == 0, let begin = start { members.append(String(text[begin..<index])) }
                index = text.index(index, offsetBy: 9)
            } else {
                index = text.index(after: index)
            }
        }
        return members
    }

    private func call(_ action: String, _ parameters: [(String, String)]) async throws -> String {
        let response = try await http.send(QueryProtocol.request(action: action, version: "2010-08-01", parameters: parameters))
        guard response.isSuccess else {
            let details = http.decodeError(response)
            throw AutoscalerError(
                code: .cloudWatch,
                message: "\(action): \(details.code): \(details.message) (HTTP \(response.status.code), request \(details.requestID ?? "-"))")
        }
        return String(buffer: response.body)
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
