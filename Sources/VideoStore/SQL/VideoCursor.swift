import Foundation
import VideoCore

/// The position after the last record of a page: its `createdAt` (ms) and id, as opaque base64url text.
struct VideoCursor: Equatable {
    var createdAt: Int64
    var id: UUID

    var encoded: String {
        Base64URL.encode(Data("v1:\(createdAt):\(id.uuidString)".utf8))
    }

    init(createdAt: Int64, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    init(decoding text: String) throws {
        let invalid = VideoStoreError(code: .invalidCursor, message: "the cursor is not one this store handed out")
        guard text.count <= 200 else { throw invalid }
        guard let data = Base64URL.decode(text), let plain = String(data: data, encoding: .utf8) else { throw invalid }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let createdAt = Int64(parts[1]),
            let id = UUID(uuidString: String(parts[2]))
        else { throw invalid }
        self.init(createdAt: createdAt, id: id)
    }
}
