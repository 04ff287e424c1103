import Foundation

/// The position after the last record of a page: its `createdAt` (ms) and id, as opaque base64url text.
struct VideoCursor: Equatable {
    var createdAt: Int64
    var id: UUID

    var encoded: String {
        Data("v1:\(createdAt):\(id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(createdAt: Int64, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    init(decoding text: String) throws {
        let invalid = VideoStoreError(code: .invalidCursor, message: "the cursor is not one this store handed out")
        guard text.count <= 200 else { throw invalid }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { throw invalid }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let createdAt = Int64(parts[1]),
              let id = UUID(uuidString: String(parts[2])) else { throw invalid }
        self.init(createdAt: createdAt, id: id)
    }
}
