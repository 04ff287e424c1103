import VideoCore

/// One progress event: what SSE `progress`/`done` events and WebSocket messages carry.
struct ProgressEvent: Codable, Equatable, Sendable {
    var id: String
    var status: String
    var stage: String?
    var progress: Double
    var etaSeconds: Double?
    var error: VideoFailure?
    var outputs: Int

    init(_ record: VideoRecord) {
        id = record.id.uuidString.lowercased()
        status = record.status.rawValue
        stage = record.stage?.rawValue
        progress = (record.progress * 10).rounded() / 10
        etaSeconds = record.etaSeconds.map { $0.rounded() }
        error = record.error
        outputs = record.outputs.count
    }

    var isFinal: Bool { ["completed", "failed", "cancelled"].contains(status) }
}
