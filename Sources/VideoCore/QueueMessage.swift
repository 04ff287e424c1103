import Foundation

/// The body of a VideoQueue SQS message: the video record in a versioned JSON envelope.
///
/// ```json
/// {"version":1,"video":{"id":"…","owner":"…","jobs":["transcode"],"status":"queued","createdAt":"2025-01-31T12:00:00.123Z",…}}
/// ```
///
/// The record's keys are its Swift property names (camelCase); dates are ISO 8601 in UTC with milliseconds;
/// optional fields that are `nil` are left out; unknown keys are ignored at every level, so newer producers
/// may add fields. Decoding failures are ``QueueMessageError``s with a code the consumer can act on.
public struct QueueMessage: Sendable, Equatable {
    /// The envelope version this build writes and reads.
    public static let currentVersion = 1
    /// SQS's limit on a message body: 256 KiB.
    public static let maximumSize = 262_144

    /// The envelope version.
    public var version: Int
    /// The video.
    public var video: VideoRecord

    /// The message of `video`, without the caller's metadata (the consumer does not need it; the record keeps it).
    public init(video: VideoRecord) {
        self.version = Self.currentVersion
        var video = video
        video.metadata = nil
        self.video = video
    }

    /// The JSON body; throws ``QueueMessageError/Code/tooLarge`` over ``maximumSize`` bytes.
    public func encoded() throws(QueueMessageError) -> Data {
        let encoder = VideoTimestamp.jsonEncoder(formatting: .withoutEscapingSlashes)
        let data: Data
        do {
            data = try encoder.encode(Envelope(version: version, video: video))
        } catch {
            throw QueueMessageError(code: .invalidField, message: "cannot encode the record: \(error)")
        }
        guard data.count <= Self.maximumSize else {
            throw QueueMessageError(
                code: .tooLarge,
                message: "the message is \(data.count) bytes, SQS accepts at most \(Self.maximumSize)")
        }
        return data
    }

    /// The JSON body as a string.
    public func encodedString() throws(QueueMessageError) -> String {
        String(decoding: try encoded(), as: UTF8.self)
    }

    /// Decodes a message body.
    public static func decode(_ body: String) throws(QueueMessageError) -> QueueMessage {
        try decode(Data(body.utf8))
    }

    /// Decodes a message body.
    public static func decode(_ data: Data) throws(QueueMessageError) -> QueueMessage {
        guard data.count <= maximumSize else {
            throw QueueMessageError(
                code: .tooLarge,
                message: "the message is \(data.count) bytes, SQS accepts at most \(maximumSize)")
        }
        let decoder = VideoTimestamp.jsonDecoder()
        do {
            let header = try decoder.decode(Header.self, from: data)
            guard let version = header.version else {
                throw QueueMessageError(code: .missingField, message: "the message has no version", field: "version")
            }
            guard version == currentVersion else {
                throw QueueMessageError(
                    code: .unsupportedVersion,
                    message: "version \(version) is not supported (this build reads \(currentVersion))",
                    field: "version")
            }
            let envelope = try decoder.decode(Envelope.self, from: data)
            var message = QueueMessage(video: envelope.video)
            message.version = envelope.version
            return message
        } catch let error as QueueMessageError {
            throw error
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil
            {
                // Foundation reports a number that does not fit its field (1.5 for an Int) as invalid JSON.
                throw QueueMessageError(code: .invalidField, message: "a number does not fit its field (an integer expected)")
            }
            throw QueueMessageError(error)
        } catch {
            throw QueueMessageError(code: .malformedJSON, message: "\(error)")
        }
    }

    private struct Header: Decodable {
        var version: Int?

        private enum CodingKeys: String, CodingKey { case version }

        init(from decoder: any Decoder) throws {
            version = try decoder.container(keyedBy: CodingKeys.self).decodeIntegerIfPresent(Int.self, forKey: .version)
        }
    }

    private struct Envelope: Codable {
        var version: Int
        var video: VideoRecord
    }
}

extension QueueMessageError {
    init(_ error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String? {
            guard !keys.isEmpty else { return nil }
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            self.init(code: .missingField, message: "missing field \(field ?? key.stringValue)", field: field)
        case .valueNotFound(_, let context) where context.codingPath.isEmpty:
            self.init(code: .malformedJSON, message: "the message is not a JSON object")
        case .valueNotFound(_, let context):
            self.init(
                code: .missingField, message: "field \(path(context.codingPath) ?? "?") is null",
                field: path(context.codingPath))
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                self.init(code: .malformedJSON, message: "the message is not a JSON object")
            } else {
                self.init(
                    code: .invalidField, message: "field \(path(context.codingPath) ?? "?") is not a \(type)",
                    field: path(context.codingPath))
            }
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(code: .malformedJSON, message: "the message is not valid JSON")
            } else {
                self.init(
                    code: .invalidField,
                    message: "field \(path(context.codingPath) ?? "?") is invalid: \(context.debugDescription)",
                    field: path(context.codingPath))
            }
        @unknown default:
            self.init(code: .malformedJSON, message: "\(error)")
        }
    }
}
