import Hummingbird
import ServiceSupport

extension PrometheusMetrics {
    /// A `GET /metrics` response: ``PrometheusMetrics/render()`` as Prometheus text.
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: render())))
    }
}
