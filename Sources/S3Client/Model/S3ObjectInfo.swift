import AWSClientRuntime
import Foundation
import NIOHTTP1

/// What HeadObject (and the head of a GetObject) says about an object.
public struct S3ObjectInfo: Sendable, Equatable {
    /// The object's size in bytes (for a ranged GET: the whole object's, from `Content-Range`).
    public var contentLength: Int64
    /// The entity tag, quotes removed.
    public var eTag: String
    /// The `Content-Type`.
    public var contentType: String?
    /// When the object was last written.
    public var lastModified: Date?
    /// The version id, when the bucket is versioned.
    public var versionID: String?
    /// User metadata (`x-amz-meta-*`), names without the prefix, lower-cased.
    public var metadata: [String: String]
    /// Checksums S3 stored with the object (`x-amz-checksum-*`), by algorithm name.
    public var checksums: [String: String]

    public init(
        contentLength: Int64, eTag: String, contentType: String? = nil, lastModified: Date? = nil,
        versionID: String? = nil, metadata: [String: String] = [:], checksums: [String: String] = [:]
    ) {
        self.contentLength = contentLength
        self.eTag = eTag
        self.contentType = contentType
        self.lastModified = lastModified
        self.versionID = versionID
        self.metadata = metadata
        self.checksums = checksums
    }

    init(headers: HTTPHeaders) {
        var length = Int64(headers.first(name: "Content-Length") ?? "") ?? 0
        if let range = headers.first(name: "Content-Range"), let total = range.split(separator: "/").last, let value = Int64(total) {
            length = value
        }
        var metadata: [String: String] = [:]
        var checksums: [String: String] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower.hasPrefix("x-amz-meta-") { metadata[String(lower.dropFirst(11))] = value }
            if lower.hasPrefix("x-amz-checksum-"), lower != "x-amz-checksum-type" { checksums[String(lower.dropFirst(15))] = value }
        }
        self.init(
            contentLength: length, eTag: S3ObjectInfo.unquoted(headers.first(name: "ETag") ?? ""),
            contentType: headers.first(name: "Content-Type"),
            lastModified: headers.first(name: "Last-Modified").flatMap(HTTPDate.parse),
            versionID: headers.first(name: "x-amz-version-id"), metadata: metadata, checksums: checksums)
    }

    static func unquoted(_ eTag: String) -> String {
        eTag.count >= 2 && eTag.hasPrefix("\"") && eTag.hasSuffix("\"") ? String(eTag.dropFirst().dropLast()) : eTag
    }
}
