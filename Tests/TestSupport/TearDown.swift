/// Runs `body`, then awaits `tearDown` before returning, whether `body` returned or threw: the scoped form of a
/// fixture's teardown. Unlike a teardown started in an unstructured `Task` from a `defer`, it has finished when the test
/// ends (it cannot overlap the next test) and its error is not lost.
///
///     let fixture = try await S3Fixture(emulator)
///     try await withTearDown { await fixture.tearDown() } body: {
///         #expect(try await fixture.s3.bucketExists(fixture.bucket))
///     }
///
/// When `body` throws, its error is rethrown (a teardown error then would only hide it, so it is dropped);
/// when `body` returns, a teardown error is thrown.
///
/// A body whose only `try`s are inside `#expect` or `#require` must say that it throws (`body: { () async throws in`):
/// a closure's throwing is inferred from the `try`s it shows before macros are expanded.
public func withTearDown<Result>(
    isolation: isolated (any Actor)? = #isolation,
    _ tearDown: () async throws -> Void,
    body: () async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        try? await tearDown()
        throw error
    }
    try await tearDown()
    return result
}
