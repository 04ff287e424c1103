import Foundation
import Testing

@testable import VideoStore

@Suite struct DatabaseConfigurationTests {
    @Test func postgresURLs() throws {
        let config = try DatabaseConfiguration(url: "postgres://vq:s%40cret@db.internal:6543/videos?sslmode=require")
        #expect(
            config.backend
                == .postgres(
                    .init(
                        host: "db.internal", port: 6543, username: "vq", password: "s@cret",
                        database: "videos", tls: .require)))
        #expect(!config.description.contains("s@cret") && !config.description.contains("cret"))
        let plain = try DatabaseConfiguration(url: "postgresql://me@localhost")
        #expect(
            plain.backend
                == .postgres(
                    .init(
                        host: "localhost", port: 5432, username: "me", password: nil,
                        database: "me", tls: .prefer)))
        let disabled = try DatabaseConfiguration(url: "postgres://u:p@127.0.0.1:54329/postgres?sslmode=disable")
        guard case .postgres(let postgres) = disabled.backend else {
            Issue.record("not postgres")
            return
        }
        #expect(postgres.tls == .disable && postgres.port == 54329)
    }

    @Test func sqliteURLs() throws {
        #expect(try DatabaseConfiguration(url: "sqlite:///var/lib/vq/db.sqlite").backend == .sqlite(path: "/var/lib/vq/db.sqlite"))
        #expect(try DatabaseConfiguration(url: "sqlite://data/db.sqlite").backend == .sqlite(path: "data/db.sqlite"))
        #expect(try DatabaseConfiguration(url: "/tmp/x.sqlite").backend == .sqlite(path: "/tmp/x.sqlite"))
        #expect(try DatabaseConfiguration(url: "videos.db").backend == .sqlite(path: "videos.db"))
        #expect(try DatabaseConfiguration(url: ":memory:").backend == .sqlite(path: ":memory:"))
    }

    @Test(arguments: [
        "", "   ", "postgres://", "postgres://host/db", "postgres://u@/db", "postgres://u@h:99999/db",
        "postgres://u@h:port/db", "postgres://u@h/a/b", "postgres://u@h/db?sslmode=sometimes",
        "mysql://u@h/db", "http://example.com", "sqlite://", "sqlite:", "x\u{0}y",
    ])
    func malformedURLs(url: String) {
        do {
            _ = try DatabaseConfiguration(url: url)
            Issue.record("accepted \(url)")
        } catch let error as VideoStoreError {
            #expect(error.code == .invalidConfiguration)
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func environment() throws {
        let defaults = try DatabaseConfiguration(environment: [:])
        #expect(defaults.backend == .sqlite(path: DatabaseConfiguration.defaultURL))
        #expect(defaults.busyTimeoutMilliseconds == 5000 && defaults.maximumConnections == 20)
        let custom = try DatabaseConfiguration(environment: [
            "DATABASE_URL": "postgres://a:b@h/d", "DATABASE_MAX_CONNECTIONS": "5", "DATABASE_BUSY_TIMEOUT_MS": "100",
        ])
        #expect(custom.maximumConnections == 5 && custom.busyTimeoutMilliseconds == 100)
        #expect(throws: VideoStoreError.self) { try DatabaseConfiguration(environment: ["DATABASE_MAX_CONNECTIONS": "0"]) }
    }

    @Test func makeStoreOpensSQLite() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vq-\(UUID()).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try await DatabaseConfiguration(url: "sqlite://" + path).makeStore()
        #expect(store is SQLiteVideoStore)
        try await store.migrate()
        #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))
        try await store.close()
    }
}
