/// Polls `condition` every `interval` until it holds or `timeout` passes, for events a test cannot await
/// directly (a record's status in a database, a queue's depth); returns whether it held.
@discardableResult
public func eventually(timeout: Duration, every interval: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
