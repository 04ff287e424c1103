import S3Client

/// The object operations a job needs: ``S3Client`` in production, an in-memory fake in the decision tests.
protocol ObjectStorage: Sendable {
    /// Downloads `key` of `bucket` into the file at `path`.
    func downloadObject(bucket: String, key: String, to path: String) async throws -> S3ObjectInfo
    /// Uploads the file at `path` as `key` of `bucket`.
    func uploadObject(file path: String, bucket: String, key: String, contentType: String) async throws
    /// Deletes `keys` of `bucket`.
    func deleteObjects(bucket: String, keys: [String]) async throws -> S3DeleteResult
}

extension S3Client: ObjectStorage {
    func downloadObject(bucket: String, key: String, to path: String) async throws -> S3ObjectInfo {
        try await download(bucket: bucket, key: key, to: path)
    }

    func uploadObject(file path: String, bucket: String, key: String, contentType: String) async throws {
        try await upload(file: path, bucket: bucket, key: key, contentType: contentType)
    }
}
