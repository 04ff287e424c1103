import Foundation
import VideoCore

/// One `SET` item of a conditional update: a bound value, or an expression of constant SQL.
enum Assignment: Sendable {
    case value(String, SQLValue)
    case expression(String, String)
    /// `column = COALESCE(column, value)`: keep a value that is set.
    case coalesce(String, SQLValue)
}

extension SQLStore {
    /// The single conditional UPDATE every status change is: `WHERE id = ? AND status IN (sources that
    /// ``VideoStatus/canTransition(to:)`` allows) [AND attempts = ?] [AND owner = ?] [AND message_id = ?]
    /// RETURNING *`. `target == nil` changes fields without a status change (progress). `nil` when the condition
    /// failed. A status change writes the webhook deliveries of its event (``fanOutWebhooks(_:record:now:)``) in the same
    /// transaction.
    static func update(
        _ db: any SQLExecutor, id: UUID, from sources: [VideoStatus], to target: VideoStatus?,
        attempt: Int? = nil, owner: String? = nil, messageID: String? = nil, set assignments: [Assignment], now: Int64
    ) async throws -> VideoRecord? {
        guard target != nil else {
            return try await updateRow(
                db, id: id, from: sources, to: target, attempt: attempt, owner: owner, messageID: messageID,
                set: assignments, now: now)
        }
        @Sendable func updateAndNotify(_ db: any SQLExecutor) async throws -> VideoRecord? {
            guard
                let record = try await updateRow(
                    db, id: id, from: sources, to: target, attempt: attempt, owner: owner,
                    messageID: messageID, set: assignments, now: now)
            else { return nil }
            try await fanOutWebhooks(db, record: record, now: now)
            return record
        }
        if let backend = db as? any SQLBackend {
            return try await backend.transaction { try await updateAndNotify($0) }
        }
        return try await updateAndNotify(db)
    }

    private static func updateRow(
        _ db: any SQLExecutor, id: UUID, from sources: [VideoStatus], to target: VideoStatus?,
        attempt: Int?, owner: String?, messageID: String?, set assignments: [Assignment], now: Int64
    ) async throws -> VideoRecord? {
        let allowed = target.map { target in sources.filter { $0.canTransition(to: target) } } ?? sources
        guard !allowed.isEmpty else { return nil }
        var binds: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var sets: [String] = []
        if let target { sets.append("status = \(bind(.text(target.rawValue)))") }
        for assignment in assignments {
            switch assignment {
            case .value(let column, let value): sets.append("\(column) = \(bind(value))")
            case .expression(let column, let sql): sets.append("\(column) = \(sql)")
            case .coalesce(let column, let value): sets.append("\(column) = COALESCE(\(column), \(bind(value)))")
            }
        }
        sets.append("updated_at = \(bind(.int(now)))")
        var conditions = ["id = \(bind(.text(id.uuidString)))"]
        conditions.append("status IN (\(allowed.map { bind(.text($0.rawValue)) }.joined(separator: ", ")))")
        if let attempt { conditions.append("attempts = \(bind(.int(attempt)))") }
        if let owner { conditions.append("owner = \(bind(.text(owner)))") }
        if let messageID { conditions.append("message_id = \(bind(.text(messageID)))") }
        let sql = "UPDATE videos SET \(sets.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND ")) RETURNING *"
        return try await db.query(sql, binds).first.map(VideoRecord.init(row:))
    }

    func markQueued(id: UUID, messageID: String?) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        return try await Self.update(
            backend, id: id, from: [.pending], to: .queued,
            set: [.value("queued_at", .int(now))] + (try Self.messageIDAssignment(messageID)), now: now)
    }

    func claim(id: UUID, messageID: String?) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        return try await Self.update(
            backend, id: id, from: [.queued, .pending], to: .processing,
            set: [
                .expression("attempts", "attempts + 1"), .value("started_at", .int(now)),
                .coalesce("queued_at", .int(now)),
                .value("stage", .null), .value("progress", .double(0)), .value("eta_seconds", .null),
                .value("error", .null), .value("finished_at", .null),
            ] + (try Self.messageIDAssignment(messageID)), now: now)
    }

    /// `message_id = ?` when a message id is given (checked for NUL bytes); nothing otherwise.
    static func messageIDAssignment(_ messageID: String?) throws -> [Assignment] {
        guard let messageID else { return [] }
        try checkPlainText(messageID, "the message id")
        return [.value("message_id", .text(messageID))]
    }

    func updateProgress(id: UUID, attempt: Int, stage: VideoStage?, progress: Double, eta: Double?) async throws
        -> VideoRecord?
    {
        guard progress.isFinite, eta.map(\.isFinite) ?? true else {
            throw VideoStoreError(code: .invalidArgument, message: "progress and eta must be finite numbers")
        }
        return try await Self.update(
            backend, id: id, from: [.processing], to: nil, attempt: attempt,
            set: [
                .value("stage", .optionalText(stage?.rawValue)), .value("progress", .double(min(max(progress, 0), 100))),
                .value("eta_seconds", .optionalDouble(eta.map { max($0, 0) })),
            ], now: Self.nowMilliseconds())
    }

    func complete(id: UUID, attempt: Int, outputs: [VideoOutput]) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        return try await Self.update(
            backend, id: id, from: [.processing], to: .completed, attempt: attempt,
            set: [
                .value("outputs", .text(try StoreJSON.string(outputs))), .value("progress", .double(100)),
                .value("stage", .null), .value("eta_seconds", .null), .value("error", .null),
                .value("finished_at", .int(now)),
            ], now: now)
    }

    func fail(id: UUID, attempt: Int?, error: VideoFailure) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        let sources = attempt == nil ? VideoStatus.allowedSources(for: .failed) : [.processing]
        return try await Self.update(
            backend, id: id, from: sources, to: .failed, attempt: attempt,
            set: try Self.failureAssignments(error, now: now), now: now)
    }

    func fail(id: UUID, messageID: String, error: VideoFailure) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        try Self.checkPlainText(messageID, "the message id")
        return try await Self.update(
            backend, id: id, from: VideoStatus.allowedSources(for: .failed), to: .failed,
            messageID: messageID, set: try Self.failureAssignments(error, now: now), now: now)
    }

    /// What every `→ failed` transition sets: the error, no stage or ETA, the finish time.
    private static func failureAssignments(_ error: VideoFailure, now: Int64) throws -> [Assignment] {
        [
            .value("error", .text(try StoreJSON.string(error))), .value("stage", .null),
            .value("eta_seconds", .null), .value("finished_at", .int(now)),
        ]
    }

    func replaceMessageID(id: UUID, current: String, with new: String) async throws -> VideoRecord? {
        try Self.checkPlainText(current, "the message id")
        return try await Self.update(
            backend, id: id, from: [.pending, .queued, .processing], to: nil, messageID: current,
            set: try Self.messageIDAssignment(new), now: Self.nowMilliseconds())
    }

    func release(id: UUID, attempt: Int) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        return try await Self.update(
            backend, id: id, from: [.processing], to: .queued, attempt: attempt,
            set: [
                .value("queued_at", .int(now)), .value("stage", .null), .value("progress", .double(0)),
                .value("eta_seconds", .null),
            ], now: now)
    }

    func cancel(id: UUID, owner: String?) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        return try await backend.transaction { db in
            let record = try await Self.update(
                db, id: id, from: VideoStatus.allowedSources(for: .cancelled), to: .cancelled, owner: owner,
                set: [.value("stage", .null), .value("eta_seconds", .null), .value("finished_at", .int(now))], now: now)
            if record != nil {
                try await db.execute("DELETE FROM outbox WHERE video_id = $1", [.text(id.uuidString)])
            }
            return record
        }
    }

    func retry(id: UUID, owner: String?) async throws -> VideoRecord? {
        let now = Self.nowMilliseconds()
        return try await backend.transaction { db in
            guard
                let record = try await Self.update(
                    db, id: id, from: [.failed], to: .queued, owner: owner,
                    set: [
                        .value("queued_at", .int(now)), .value("started_at", .null), .value("finished_at", .null),
                        .value("error", .null), .value("stage", .null), .value("progress", .double(0)),
                        .value("eta_seconds", .null), .value("outputs", .text("[]")), .value("message_id", .null),
                    ], now: now)
            else { return nil }
            let payload = try QueueMessage(video: record).encodedString()
            try await db.execute(
                """
                INSERT INTO outbox (id, video_id, payload, created_at, not_before, attempts)
                VALUES ($1, $2, $3, $4, $5, 0)
                """, [.text(UUID().uuidString), .text(id.uuidString), .text(payload), .int(now), .int(now)])
            return record
        }
    }
}
