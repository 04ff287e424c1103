import Foundation

extension DatabaseConfiguration {
    /// Refuses an SQLite database that can never be opened, before the store tries: its directory missing, or the file
    /// (or the directory, to create it in) not writable by this user. A local path is no dependency that comes up
    /// later: it is a setting to fix (the services exit 78), not a reason to wait. PostgreSQL passes.
    /// - Throws: ``VideoStoreError`` `invalidConfiguration` naming `DATABASE_URL` and the path.
    public func checkLocation(fileManager: FileManager = .default) throws(VideoStoreError) {
        guard case .sqlite(let path) = backend, path != ":memory:" else { return }
        func refused(_ message: String) -> VideoStoreError { VideoStoreError(code: .invalidConfiguration, message: "DATABASE_URL: " + message) }
        let file = URL(fileURLWithPath: path)
        let directory = file.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw refused("the directory of the SQLite database \(file.path) does not exist: create it or name another path")
        }
        // SQLite creates the file there, and keeps its journal (-wal, -shm) beside it.
        guard fileManager.isWritableFile(atPath: directory) else {
            throw refused("the directory of the SQLite database \(file.path) is not writable by this user")
        }
        if fileManager.fileExists(atPath: file.path), !fileManager.isWritableFile(atPath: file.path) {
            throw refused("the SQLite database \(file.path) is not writable by this user")
        }
    }
}
