import Foundation
import VideoCore

/// `GET /v1/videos/{id}` and the answers of uploads, cancels and retries.
public struct VideoDocument: Decodable, Sendable {
    public var video: VideoRecord
    /// Presigned download URLs by output key.
    public var downloads: [String: String]?
    public var queuePosition: Int?
    public var estimatedWaitSeconds: Double?
}

/// `GET /v1/videos`.
public struct VideoPage: Decodable, Sendable {
    public var videos: [VideoRecord]
    public var nextCursor: String?
}

/// `POST /v1/uploads`: where a direct upload's bytes go.
public struct UploadStart: Codable, Sendable, Equatable {
    public struct Part: Codable, Sendable, Equatable {
        public var partNumber: Int
        public var url: String
    }

    public var uploadID: String
    public var method: String
    public var url: String?
    public var headers: [String: String]?
    public var parts: [Part]?
    public var partSize: Int64?
    public var completeURL: String
    public var expiresAt: Date
}

/// One event of `GET /v1/videos/{id}/events`.
public struct ProgressEvent: Decodable, Sendable, Equatable {
    public var id: String?
    public var status: String
    public var stage: String?
    public var progress: Double
    public var etaSeconds: Double?
}
