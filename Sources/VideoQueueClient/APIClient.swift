import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VideoCore

/// The producer's HTTP API, as the `videoqueue` tool uses it (nothing else: no AWS credentials, no database).
public struct APIClient: Sendable {
    /// The producer's base URL, e.g. `http://127.0.0.1:8080` (`VIDEOQUEUE_API_URL`).
    public var baseURL: String
    /// The API key (`VIDEOQUEUE_API_KEY`).
    public var apiKey: String
    let http: HTTPClient

    /// The longest JSON answer read (a page of 100 videos is far below).
    static let maximumAnswerBytes = 16 << 20

    public init(baseURL: String, apiKey: String, http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.http = http
    }

    /// An absolute URL for `path` (an absolute URL stays as it is).
    public func url(_ path: String) -> String {
        path.hasPrefix("http://") || path.hasPrefix("https://") ? path : baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// A request to the API with the key.
    func request(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "User-Agent", value: "videoqueue/\(VideoQueueVersion.current)")
        return request
    }

    /// Sends `request` and reads its JSON answer.
    /// - Throws: ``ClientError`` with the API's code for a status of 400 or more, `unreachable` when nothing answered.
    func send(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(60)) async throws -> (status: Int, body: Data) {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: "unreachable", message: "\(request.url): \(error)")
        }
        let body = Data(try await response.body.collect(upTo: Self.maximumAnswerBytes).readableBytesView)
        let status = Int(response.status.code)
        guard status < 400 else { throw Self.apiError(status: status, body: body) }
        return (status, body)
    }

    /// The API's error answer as a ``ClientError``.
    static func apiError(status: Int, body: Data) -> ClientError {
        struct Answer: Decodable {
            struct Detail: Decodable {
                var code: String
                var message: String
                var field: String?
            }
            var error: Detail
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: body) else {
            return ClientError(code: "http_\(status)", message: String(decoding: body.prefix(200), as: UTF8.self), status: status)
        }
        let field = answer.error.field.map { " (\($0))" } ?? ""
        return ClientError(code: answer.error.code, message: answer.error.message + field, status: status)
    }

    /// `GET`/`POST`/`DELETE` `path` with an optional JSON body; the answer's status and bytes.
    @discardableResult
    public func call(_ method: HTTPMethod, _ path: String, json: Data? = nil) async throws -> (status: Int, body: Data) {
        var request = request(method, path)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        return try await send(request)
    }

    /// Decodes a JSON answer.
    public static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try VideoTimestamp.jsonDecoder().decode(T.self, from: data)
        } catch {
            throw ClientError(code: "bad_answer", message: "the API's answer cannot be read: \(error)")
        }
    }

    /// A video with its download URLs.
    public func video(_ id: String) async throws -> (document: VideoDocument, raw: Data) {
        let answer = try await call(.GET, "/v1/videos/\(Self.pathComponent(id))")
        return (try Self.decode(VideoDocument.self, answer.body), answer.body)
    }

    /// One page of the caller's videos.
    public func videos(status: String?, limit: Int, cursor: String?) async throws -> (page: VideoPage, raw: Data) {
        var query = ["limit=\(limit)"]
        if let status { query.append("status=\(Self.queryValue(status))") }
        if let cursor { query.append("cursor=\(Self.queryValue(cursor))") }
        let answer = try await call(.GET, "/v1/videos?" + query.joined(separator: "&"))
        return (try Self.decode(VideoPage.self, answer.body), answer.body)
    }

    static func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    static func queryValue(_ text: String) -> String { pathComponent(text) }
}
