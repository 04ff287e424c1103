extension VideoStore {
    /// Runs the store (``run()``) while `body` uses it, then closes it and waits for the run to end, however `body`
    /// ends. For code outside a service group: a one-shot command, `consumer run --once`, a test's fixture.
    public func running<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            var closeError: (any Error)?
            do {
                try await self.close()
            } catch {
                closeError = error
            }
            try await group.waitForAll()
            if let closeError, case .success = result { throw closeError }
            return try result.get()
        }
    }
}
