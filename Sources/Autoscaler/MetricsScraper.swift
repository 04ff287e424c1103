import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads the consumers' Prometheus `/metrics` pages, concurrently, each within a timeout.
public struct MetricsScraper: Sendable {
    /// The HTTP client.
    public var httpClient: HTTPClient
    /// The time one page may take.
    public var timeout: Duration
    /// The largest page read.
    public var maximumBytes: Int

    public init(httpClient: HTTPClient = .shared, timeout: Duration = .seconds(3), maximumBytes: Int = 4 << 20) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.maximumBytes = maximumBytes
    }

    /// The snapshot of every URL; `nil` for one that did not answer 200 with consumer metrics.
    public func scrape(_ urls: [String]) async -> [String: ConsumerMetricsSnapshot?] {
        await withTaskGroup(of: (String, ConsumerMetricsSnapshot?).self) { group in
            for url in urls {
                group.addTask { (url, await scrape(url)) }
            }
            var result: [String: ConsumerMetricsSnapshot?] = [:]
            for await (url, snapshot) in group { result[url] = snapshot }
            return result
        }
    }

    /// One URL's snapshot; `nil` when it cannot be had.
    public func scrape(_ url: String) async -> ConsumerMetricsSnapshot? {
        do {
            let request = HTTPClientRequest(url: url)
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: maximumBytes)
            return ConsumerMetricsSnapshot(prometheusText: String(buffer: body))
        } catch {
            return nil
        }
    }
}
