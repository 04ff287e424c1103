import Metrics
import Prometheus
import Synchronization

/// Prometheus metrics for a service: swift-metrics is bootstrapped once per process with a Prometheus
/// factory, and ``render()`` gives the text exposition format for a `/metrics` route.
public enum PrometheusMetrics {
    private static let bootstrapped = Mutex(false)

    /// The registry every metric of this process is recorded in.
    public static let registry = PrometheusCollectorRegistry()

    /// Bootstraps swift-metrics with the Prometheus factory (once; later calls do nothing, so tests and
    /// several services in one process can all call it).
    public static func bootstrap() {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900),
        ]
        MetricsSystem.bootstrap(factory)
    }

    /// The current values in Prometheus text format, with the process metrics and `videoqueue_build_info`.
    public static func render() -> String { MetricHelp.annotate(registry.emitToString()) + ProcessMetrics.render() }

    /// The media type of ``render()``'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
