import Foundation
import Logging
import VideoCore

/// The embedded ``VideoStore``: one SQLite file in WAL mode with a busy timeout, for a single machine.
///
/// Several processes may share the file: writes are `BEGIN IMMEDIATE` transactions that wait out each other
/// on the busy timeout. Within a process the store uses one connection, one operation at a time.
/// Call ``close()`` before the last copy goes away: SQLiteNIO asserts (debug builds) that connections are closed.
public struct SQLiteVideoStore: VideoStore, SQLStoreForwarding {
    let store: SQLStore

    /// Opens (creating) the database file at `path`; `":memory:"` is a private in-memory database.
    public init(
        path: String, busyTimeoutMilliseconds: Int = 5000,
        logger: Logger = Logger(label: "videoqueue.store.sqlite")
    ) async throws {
        store = SQLStore(
            backend: try await SQLiteBackend.open(
                path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                logger: logger))
    }
}
