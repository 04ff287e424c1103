extension S3Client {
    /// Runs `body` for every index in `indices` with at most `limit` running at once, starting the next as each
    /// one finishes; returns the results in completion order. The first error cancels the rest and is rethrown.
    func concurrently<Result: Sendable>(
        _ indices: Range<Int>, atMost limit: Int,
        _ body: @escaping @Sendable (Int) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: Result.self) { group in
            var results: [Result] = []
            results.reserveCapacity(indices.count)
            var next = indices.lowerBound
            while next < indices.upperBound, next - indices.lowerBound < max(1, limit) {
                group.addTask { [next] in try await body(next) }
                next += 1
            }
            while let result = try await group.next() {
                results.append(result)
                if next < indices.upperBound {
                    group.addTask { [next] in try await body(next) }
                    next += 1
                }
            }
            return results
        }
    }
}
