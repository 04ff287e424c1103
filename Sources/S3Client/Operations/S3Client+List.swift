import AWSClientRuntime
import AWSSigV4

extension S3Client {
    /// The objects of `bucket` whose keys start with `prefix`, in key order, fetched page by page
    /// (ListObjectsV2, `pageSize` keys a call) as the sequence is iterated.
    public func listObjects(bucket: String, prefix: String = "", pageSize: Int = 1000) -> S3ObjectListing {
        S3ObjectListing(client: self, bucket: bucket, prefix: prefix, pageSize: max(1, min(pageSize, 1000)))
    }

    /// One ListObjectsV2 page and the token of the next.
    func listObjectsPage(bucket: String, prefix: String, pageSize: Int, token: String?) async throws -> (objects: [S3ObjectSummary], next: String?) {
        var query = "list-type=2&max-keys=\(pageSize)&prefix=\(URIEncoding.encode(prefix))"
        if let token { query += "&continuation-token=\(URIEncoding.encode(token))" }
        let response = try await send(request("ListObjectsV2", .GET, bucket: bucket, query: query), bucket: bucket)
        let root = try xml(response, operation: "ListObjectsV2")
        let objects = root.children("Contents").compactMap { entry -> S3ObjectSummary? in
            guard let key = entry.text("Key") else { return nil }
            return S3ObjectSummary(
                key: key, size: entry.text("Size").flatMap(Int64.init) ?? 0,
                eTag: S3ObjectInfo.unquoted(entry.text("ETag") ?? ""),
                lastModified: entry.text("LastModified").flatMap(HTTPDate.parseISO8601))
        }
        let next = root.text("IsTruncated") == "true" ? root.text("NextContinuationToken") : nil
        return (objects, next)
    }
}

/// The objects under a prefix, as an async sequence that fetches ListObjectsV2 pages on demand.
public struct S3ObjectListing: AsyncSequence, Sendable {
    public typealias Element = S3ObjectSummary
    let client: S3Client
    let bucket: String
    let prefix: String
    let pageSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let listing: S3ObjectListing
        var buffer: [S3ObjectSummary] = []
        var index = 0
        var token: String?
        var started = false

        public mutating func next() async throws -> S3ObjectSummary? {
            while index == buffer.count {
                if started && token == nil { return nil }
                let page = try await listing.client.listObjectsPage(
                    bucket: listing.bucket, prefix: listing.prefix,
                    pageSize: listing.pageSize, token: token)
                started = true
                buffer = page.objects
                index = 0
                token = page.next
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(listing: self) }

    /// Every object, collected (for tests and small prefixes).
    public func collect() async throws -> [S3ObjectSummary] {
        var all: [S3ObjectSummary] = []
        for try await object in self { all.append(object) }
        return all
    }
}
