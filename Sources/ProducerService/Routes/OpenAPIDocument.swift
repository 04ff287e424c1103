import Foundation
import VideoCore
import VideoStore

/// The OpenAPI 3.1 description of the producer's HTTP API, served at `GET /openapi.json`.
///
/// A test checks that every route the router has is described here and that every path described here is
/// routed, so the two cannot drift apart.
enum OpenAPIDocument {
    /// (method, path) of every operation described, with `{parameter}` path templates.
    static var operations: [(method: String, path: String)] {
        guard let paths = document["paths"] as? [String: [String: Any]] else { return [] }
        return paths.flatMap { path, methods in methods.keys.map { (method: $0.uppercased(), path: path) } }
    }

    /// The document as JSON, its codec and preset enums those of this producer (every codec and the built-in preset
    /// by default).
    static func json(codecs: Set<VideoCodec> = Set(VideoCodec.allCases), presets: PresetCatalog = PresetCatalog()) -> Data {
        (try? JSONSerialization.data(withJSONObject: document(codecs: codecs, presets: presets), options: [.sortedKeys, .prettyPrinted]))
            ?? Data("{}".utf8)
    }

    /// The schema of ``ProcessingOptions`` with the available codecs.
    static func processingOptions(codecs: Set<VideoCodec>) -> [String: Any] {
        [
            "type": "object", "additionalProperties": false,
            "description": "How the video is processed; absent fields: the preset's, then the consumer's defaults",
            "properties": [
                "renditions": [
                    "type": "array", "minItems": 1, "maxItems": ProcessingOptions.maximumRenditions, "uniqueItems": true,
                    "items": ["type": "integer", "minimum": 144, "maximum": 2160],
                ],
                "codec": ["type": "string", "enum": codecs.sorted().map(\.rawValue)],
                "quality": ["type": "integer", "minimum": 0, "maximum": 63, "description": "CRF: at most 51 for h264 and hevc"],
                "segmentDuration": ["type": "number", "minimum": 1, "maximum": 30],
                "thumbnailCount": ["type": "integer", "minimum": 1, "maximum": 100],
                "thumbnailInterval": ["type": "number", "minimum": 0.5, "maximum": 3600],
                "audioBitRate": ["type": "integer", "minimum": 32000, "maximum": 512000],
                "language": ["type": "string", "pattern": "^[a-z]{2}$"],
            ],
        ]
    }

    private static var videoID: [String: Any] { ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]] }
    private static let secured: [[String: [String]]] = [["bearer": []], ["apiKey": []]]

    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func json(_ schema: [String: Any]) -> [String: Any] { ["application/json": ["schema": schema]] }
    /// The `Idempotency-Key` header of the creating routes.
    private static var idempotencyKey: [String: Any] {
        [
            "name": "Idempotency-Key", "in": "header", "schema": ["type": "string", "maxLength": 255],
            "description": "Retries with the same key within 24 h answer the first result instead of creating again",
        ]
    }

    private static func error(_ description: String) -> [String: Any] { ["description": description, "content": json(ref("Error"))] }
    private static func ok(_ description: String, _ schema: [String: Any]) -> [String: Any] { ["description": description, "content": json(schema)] }

    /// The errors every `/v1` operation may answer.
    private static var errors: [String: Any] {
        [
            "400": error("Malformed request"), "401": error("Missing or invalid API key"), "404": error("Not found (or another owner's)"),
            "408": error("The request body arrived too slowly (body_too_slow); the connection is closed"),
            "429": rateLimited,
        ]
    }

    /// The errors any operation may answer.
    private static var serverErrors: [String: Any] {
        [
            "500": error("The request failed; the server log has the details"),
            "503": error("A dependency (the database, S3) is unavailable or the server is shutting down; retry later"),
        ]
    }

    /// `429`: a rate or concurrency limit (rate_limited, too_many_uploads, too_many_streams), with `Retry-After`.
    private static var rateLimited: [String: Any] {
        [
            "description": "A rate or concurrency limit was reached; retry after Retry-After seconds", "content": json(ref("Error")),
            "headers": ["Retry-After": ["description": "Seconds to wait", "schema": ["type": "integer", "minimum": 1]]],
        ]
    }

    private static func operation(
        _ summary: String, _ responses: [String: Any], parameters: [[String: Any]] = [],
        body: [String: Any]? = nil, secure: Bool = true
    ) -> [String: Any] {
        let common = (secure ? errors : [:]).merging(serverErrors) { first, _ in first }
        var operation: [String: Any] = ["summary": summary, "responses": responses.merging(common) { first, _ in first }]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body { operation["requestBody"] = body }
        if secure { operation["security"] = secured }
        return operation
    }

    /// The document, every operation with an `operationId` (its method and path: `getV1VideosId`).
    static var document: [String: Any] { document(codecs: Set(VideoCodec.allCases), presets: PresetCatalog()) }

    static func document(codecs: Set<VideoCodec>, presets: PresetCatalog) -> [String: Any] {
        var document = baseDocument
        if var components = document["components"] as? [String: Any], var schemas = components["schemas"] as? [String: Any] {
            schemas["ProcessingOptions"] = processingOptions(codecs: codecs)
            schemas["PresetName"] = ["type": "string", "enum": presets.presets.keys.sorted(), "default": presets.defaultPreset]
            components["schemas"] = schemas
            document["components"] = components
        }
        guard var paths = document["paths"] as? [String: [String: Any]] else { return document }
        for (path, methods) in paths {
            var named = methods
            for (method, value) in methods {
                guard var operation = value as? [String: Any], operation["operationId"] == nil else { continue }
                operation["operationId"] = operationID(method: method, path: path)
                named[method] = operation
            }
            paths[path] = named
        }
        document["paths"] = paths
        return document
    }

    /// `get` + the path's segments capitalized, braces dropped: `GET /v1/videos/{id}/events` → `getV1VideosIdEvents`.
    static func operationID(method: String, path: String) -> String {
        let words = path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return method.lowercased() + (words.isEmpty ? "Root" : words.joined())
    }

    private static var baseDocument: [String: Any] {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "VideoQueue producer",
                "version": "1.0.0",
                "description": "Upload videos, follow their processing, fetch their outputs. Every /v1 route needs an API key "
                    + "('Authorization: Bearer <key>' or 'X-API-Key'); videos are scoped to the key's owner. Errors are JSON "
                    + "{\"error\": {\"code\", \"message\"}}.",
            ],
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer"],
                    "apiKey": ["type": "apiKey", "in": "header", "name": "X-API-Key"],
                ],
                "schemas": [
                    "Error": [
                        "type": "object", "required": ["error"],
                        "properties": [
                            "error": [
                                "type": "object", "required": ["code", "message"],
                                "properties": [
                                    "code": ["type": "string", "pattern": "^[a-z0-9_]+$", "description": "snake case, stable"],
                                    "message": ["type": "string"],
                                    "field": ["type": "string", "description": "the request field at fault, e.g. options.renditions[1]"],
                                ],
                            ]
                        ],
                    ],
                    "APIKey": [
                        "type": "object", "required": ["id", "owner", "name", "admin", "createdAt"],
                        "properties": [
                            "id": ["type": "string", "format": "uuid"], "owner": ["type": "string"], "name": ["type": "string"],
                            "admin": ["type": "boolean"], "createdAt": ["type": "string", "format": "date-time"],
                            "revokedAt": ["type": "string", "format": "date-time"],
                        ],
                    ],
                    "WebhookEndpoint": [
                        "type": "object", "required": ["id", "owner", "url", "events", "createdAt"],
                        "properties": [
                            "id": ["type": "string", "format": "uuid"], "owner": ["type": "string"], "url": ["type": "string", "format": "uri"],
                            "events": ["type": "array", "items": ["type": "string", "enum": WebhookEvent.types]],
                            "createdAt": ["type": "string", "format": "date-time"],
                        ],
                    ],
                    "WebhookEndpointResponse": [
                        "type": "object", "required": ["endpoint"],
                        "properties": [
                            "endpoint": ref("WebhookEndpoint"),
                            "secret": ["type": "string", "description": "whsec_…: in the answers that create or rotate it, never again"],
                        ],
                    ],
                    "WebhookDelivery": [
                        "type": "object", "required": ["id", "endpointID", "eventType", "videoID", "payload", "status", "attempts", "createdAt"],
                        "properties": [
                            "id": ["type": "string", "description": "the webhook-id header"], "endpointID": ["type": "string", "format": "uuid"],
                            "eventType": ["type": "string", "enum": WebhookEvent.types], "videoID": ["type": "string", "format": "uuid"],
                            "payload": ["type": "string", "description": "the JSON body sent"],
                            "status": ["type": "string", "enum": ["pending", "delivered", "failed"]], "attempts": ["type": "integer"],
                            "nextAttemptAt": ["type": "string", "format": "date-time"], "lastError": ["type": "string"],
                            "lastStatusCode": ["type": "integer"], "createdAt": ["type": "string", "format": "date-time"],
                            "deliveredAt": ["type": "string", "format": "date-time"],
                        ],
                    ],
                    "VideoOutput": [
                        "type": "object", "required": ["kind", "key", "size", "contentType"],
                        "properties": [
                            "kind": ["type": "string"], "key": ["type": "string"], "size": ["type": "integer"], "contentType": ["type": "string"],
                            "width": ["type": "integer"], "height": ["type": "integer"], "duration": ["type": "number"],
                        ],
                    ],
                    "Video": [
                        "type": "object",
                        "required": [
                            "id", "owner", "title", "originalFilename", "size", "contentType", "jobs", "status",
                            "progress", "attempts", "outputs", "createdAt", "updatedAt",
                        ],
                        "properties": [
                            "id": ["type": "string", "format": "uuid"], "owner": ["type": "string"], "title": ["type": "string"],
                            "originalFilename": ["type": "string"], "size": ["type": "integer"], "sha256": ["type": "string"], "sourceETag": ["type": "string"],
                            "contentType": ["type": "string"],
                            "jobs": [
                                "type": "array",
                                "items": [
                                    "type": "string",
                                    "enum": JobType.all.map(\.rawValue),
                                ],
                            ],
                            "status": ["type": "string", "enum": ["pending", "queued", "processing", "completed", "failed", "cancelled"]],
                            "stage": ["type": "string", "enum": ["downloading", "probing", "encoding", "uploading"]],
                            "progress": ["type": "number", "minimum": 0, "maximum": 100], "etaSeconds": ["type": "number"],
                            "attempts": ["type": "integer"],
                            "error": [
                                "type": "object", "properties": ["code": ["type": "string"], "message": ["type": "string"], "detail": ["type": "string"]],
                            ],
                            "outputs": ["type": "array", "items": ref("VideoOutput")],
                            "createdAt": ["type": "string", "format": "date-time"], "queuedAt": ["type": "string", "format": "date-time"],
                            "startedAt": ["type": "string", "format": "date-time"], "finishedAt": ["type": "string", "format": "date-time"],
                            "updatedAt": ["type": "string", "format": "date-time"],
                            "metadata": ["type": "object", "description": "the caller's metadata (at most 4 KiB of JSON), as sent"],
                            "preset": ["type": "string"], "options": ref("ProcessingOptions"),
                        ],
                    ],
                    "ProgressEvent": [
                        "type": "object", "required": ["id", "status", "progress", "outputs"],
                        "description": "The data of each SSE `progress` and `done` event (and each WebSocket `progress` message)",
                        "properties": [
                            "id": ["type": "string"], "status": ["type": "string"], "stage": ["type": "string"], "progress": ["type": "number"],
                            "etaSeconds": ["type": "number"], "outputs": ["type": "integer"],
                            "error": [
                                "type": "object", "properties": ["code": ["type": "string"], "message": ["type": "string"], "detail": ["type": "string"]],
                            ],
                        ],
                    ],
                    "UploadStart": [
                        "type": "object", "required": ["uploadID", "method", "completeURL", "expiresAt"],
                        "properties": [
                            "uploadID": ["type": "string", "description": "the signed upload token"], "method": ["type": "string", "enum": ["PUT"]],
                            "url": ["type": "string", "format": "uri", "description": "a single PUT's presigned URL"],
                            "headers": ["type": "object", "additionalProperties": ["type": "string"], "description": "headers the single PUT must send"],
                            "parts": [
                                "type": "array",
                                "items": [
                                    "type": "object", "required": ["partNumber", "url"],
                                    "properties": [
                                        "partNumber": ["type": "integer"], "url": ["type": "string", "format": "uri"],
                                    ],
                                ],
                            ],
                            "partSize": ["type": "integer"], "completeURL": ["type": "string"], "expiresAt": ["type": "string", "format": "date-time"],
                        ],
                    ],
                    "QueueState": [
                        "type": "object", "required": ["queue", "records", "outboxDepth"],
                        "properties": [
                            "queue": ref("QueueDepth"), "deadLetterQueue": ref("QueueDepth"),
                            "records": ["type": "object", "additionalProperties": ["type": "integer"], "description": "record counts per status"],
                            "outboxDepth": ["type": "integer"],
                        ],
                    ],
                    "QueueDepth": [
                        "type": "object", "required": ["visible", "inFlight", "delayed"],
                        "properties": [
                            "visible": ["type": "integer"], "inFlight": ["type": "integer"], "delayed": ["type": "integer"],
                        ],
                    ],
                    "VideoResponse": [
                        "type": "object", "required": ["video", "statusURL", "eventsURL"],
                        "properties": [
                            "video": ref("Video"), "statusURL": ["type": "string"], "eventsURL": ["type": "string"],
                            "queuePosition": ["type": "integer"], "estimatedWaitSeconds": ["type": "number"],
                            "hlsSegments": ["type": "integer", "description": "HLS segments the playlists name; counted, not listed in video.outputs"],
                            "expiresAt": ["type": "string", "format": "date-time", "description": "when retention deletes the finished video and its files"],
                            "downloads": ["type": "object", "additionalProperties": ["type": "string", "format": "uri"]],
                            "playback": [
                                "type": "object", "description": "Links that play a completed video without an API key, until expiresAt",
                                "properties": [
                                    "hls": ["type": "string", "description": "The HLS master playlist through /v1/play"],
                                    "files": ["type": "object", "additionalProperties": ["type": "string"]],
                                    "expiresAt": ["type": "string", "format": "date-time"],
                                ], "required": ["files", "expiresAt"],
                            ],
                        ],
                    ],
                ],
            ],
            "paths": [
                "/": ["get": operation("The web console (HTML)", ["200": ["description": "HTML page"]], secure: false)],
                "/openapi.json": ["get": operation("This document", ["200": ["description": "OpenAPI 3.1"]], secure: false)],
                "/healthz": ["get": operation("Liveness", ["200": ["description": "alive"]], secure: false)],
                "/readyz": [
                    "get": operation(
                        "Readiness: database, bucket and queue reachable",
                        ["200": ["description": "ready"], "503": ["description": "a dependency failed (named)"]], secure: false)
                ],
                "/metrics": ["get": operation("Prometheus metrics", ["200": ["description": "text exposition format"]], secure: false)],
                "/v1/videos": [
                    "post": operation(
                        "Upload a video (streamed to S3) and queue it",
                        [
                            "202": ok("Stored and queued (or pending until SQS answers)", ref("VideoResponse")),
                            "413": error("Larger than the limit"), "415": error("Not a video container we accept"),
                            "429": error("Rate limited (see Retry-After)"),
                            "409": error("idempotency_key_in_progress: a request under the same Idempotency-Key still runs"),
                            "422": error("idempotency_key_reused: the Idempotency-Key was used for another request"),
                        ],
                        parameters: [
                            idempotencyKey,
                            ["name": "title", "in": "query", "schema": ["type": "string"]],
                            ["name": "filename", "in": "query", "schema": ["type": "string"]],
                            ["name": "jobs", "in": "query", "schema": ["type": "string"], "description": "comma-separated job types"],
                            ["name": "Content-SHA256", "in": "header", "schema": ["type": "string"], "description": "hex or base64; verified"],
                            ["name": "Content-MD5", "in": "header", "schema": ["type": "string"], "description": "base64; verified"],
                            [
                                "name": "X-Video-Metadata", "in": "header", "schema": ["type": "string"],
                                "description": "the caller's metadata: a JSON object of at most 4 KiB (also ?metadata= or a multipart field)",
                            ],
                            ["name": "preset", "in": "query", "schema": ref("PresetName"), "description": "a named preset (also X-Video-Preset)"],
                            [
                                "name": "options", "in": "query", "schema": ["type": "string"],
                                "description": "ProcessingOptions as JSON, over the preset's (also X-Video-Options or a multipart field)",
                            ],
                        ],
                        body: [
                            "required": true,
                            "content": [
                                "video/*": ["schema": ["type": "string", "format": "binary"]],
                                "multipart/form-data": [
                                    "schema": [
                                        "type": "object",
                                        "properties": [
                                            "file": ["type": "string", "format": "binary"], "title": ["type": "string"], "jobs": ["type": "string"],
                                        ],
                                    ]
                                ],
                            ],
                        ]),
                    "get": operation(
                        "The caller's videos, newest first",
                        [
                            "200": ok(
                                "A page",
                                [
                                    "type": "object",
                                    "properties": [
                                        "videos": ["type": "array", "items": ref("Video")], "nextCursor": ["type": "string"],
                                    ],
                                ])
                        ],
                        parameters: [
                            ["name": "status", "in": "query", "schema": ["type": "string"]],
                            ["name": "cursor", "in": "query", "schema": ["type": "string"]],
                            ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100]],
                        ]),
                ],
                "/v1/videos/{id}": [
                    "get": operation("A video, with presigned download URLs", ["200": ok("The video", ref("VideoResponse"))], parameters: [videoID]),
                    "delete": operation(
                        "Cancel a waiting or running video; delete a finished one and its files",
                        [
                            "202": ok("Cancelled", ref("VideoResponse")), "204": ["description": "Deleted"], "409": error("Changed meanwhile"),
                        ], parameters: [videoID]),
                ],
                "/v1/videos/{id}/retry": [
                    "post": operation(
                        "Queue a failed video again",
                        [
                            "202": ok("Queued", ref("VideoResponse")), "409": error("Not failed"),
                        ], parameters: [videoID])
                ],
                "/v1/videos/{id}/events": [
                    "get": operation(
                        "Live progress (Server-Sent Events: progress…, then done)",
                        [
                            "200": [
                                "description": "text/event-stream: `progress` events, then one `done`; each event's data is a ProgressEvent",
                                "content": ["text/event-stream": ["schema": ["type": "string"]]],
                            ]
                        ], parameters: [videoID])
                ],
                "/v1/videos/{id}/ws": [
                    "get": operation(
                        "Live progress over WebSocket; answers {\"type\":\"ping\"} and {\"type\":\"get_status\"}",
                        [
                            "101": ["description": "Switching protocols"]
                        ], parameters: [videoID])
                ],
                "/v1/uploads": [
                    "post": operation(
                        "Start a direct upload: presigned S3 URLs",
                        [
                            "201": ok("URLs (one PUT, or one per part), the upload id and its completion URL", ref("UploadStart")),
                            "413": error("Larger than the limit"),
                            "409": error("idempotency_key_in_progress: a request under the same Idempotency-Key still runs"),
                            "422": error("idempotency_key_reused: the Idempotency-Key was used for another request"),
                        ], parameters: [idempotencyKey],
                        body: [
                            "required": true,
                            "content": json([
                                "type": "object", "required": ["size"],
                                "properties": [
                                    "size": ["type": "integer"], "title": ["type": "string"], "filename": ["type": "string"],
                                    "jobs": ["type": "array", "items": ["type": "string"]],
                                    "metadata": ["type": "object", "description": "the caller's metadata (at most 4 KiB of JSON)"],
                                    "preset": ref("PresetName"), "options": ref("ProcessingOptions"),
                                ],
                            ]),
                        ])
                ],
                "/v1/uploads/{token}/complete": [
                    "post": operation(
                        "Complete a direct upload: checked, recorded and queued",
                        [
                            "202": ok("Queued", ref("VideoResponse")), "409": error("Completed already"), "410": error("Expired"),
                            "415": error("Not a video container"),
                        ], parameters: [["name": "token", "in": "path", "required": true, "schema": ["type": "string"]]])
                ],
                "/v1/play/{token}/{path}": [
                    "get": operation(
                        "Playback without an API key: a playlist with every URI signed or routed here, or a 302 to a presigned output",
                        [
                            "200": ["description": "An HLS playlist", "content": ["application/vnd.apple.mpegurl": ["schema": ["type": "string"]]]],
                            "302": ["description": "The output's presigned URL (Location)"],
                            "404": error("Unknown, expired or forged token, or not an output of the video"),
                        ],
                        parameters: [
                            ["name": "token", "in": "path", "required": true, "schema": ["type": "string"], "description": "the playback token"],
                            [
                                "name": "path", "in": "path", "required": true, "schema": ["type": "string"],
                                "description": "the output's path under the video's outputs, e.g. hls/master.m3u8",
                            ],
                        ], secure: false)
                ],
                "/v1/webhooks": [
                    "post": operation(
                        "Register an endpoint for signed events (Standard Webhooks); its secret is in this answer only",
                        [
                            "201": ok("The endpoint and its secret", ref("WebhookEndpointResponse")),
                            "409": error("too_many_webhooks"),
                        ],
                        body: [
                            "required": true,
                            "content": json([
                                "type": "object", "required": ["url"],
                                "properties": [
                                    "url": [
                                        "type": "string", "format": "uri", "description": "http(s); loopback, private and link-local addresses are refused",
                                    ],
                                    "events": [
                                        "type": "array", "items": ["type": "string", "enum": WebhookEvent.types], "description": "empty or absent: all",
                                    ],
                                ],
                            ]),
                        ]),
                    "get": operation(
                        "The caller's endpoints (without secrets)",
                        [
                            "200": ok(
                                "Endpoints",
                                [
                                    "type": "object", "required": ["endpoints"],
                                    "properties": ["endpoints": ["type": "array", "items": ref("WebhookEndpoint")]],
                                ])
                        ]),
                ],
                "/v1/webhooks/{id}": [
                    "delete": operation(
                        "Delete an endpoint and its deliveries", ["204": ["description": "Deleted"]],
                        parameters: [videoID])
                ],
                "/v1/webhooks/{id}/rotate": [
                    "post": operation(
                        "A new secret; the previous one still signs for 24 h",
                        ["200": ok("The endpoint and its new secret", ref("WebhookEndpointResponse"))],
                        parameters: [videoID])
                ],
                "/v1/webhooks/{id}/deliveries": [
                    "get": operation(
                        "The endpoint's delivery log, newest first",
                        [
                            "200": ok(
                                "Deliveries",
                                [
                                    "type": "object", "required": ["deliveries"],
                                    "properties": ["deliveries": ["type": "array", "items": ref("WebhookDelivery")]],
                                ])
                        ], parameters: [videoID, ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 1000]]])
                ],
                "/v1/webhooks/{id}/deliveries/{delivery}/redeliver": [
                    "post": operation(
                        "Send a delivery again",
                        [
                            "202": ["description": "Due now"]
                        ], parameters: [videoID, ["name": "delivery", "in": "path", "required": true, "schema": ["type": "string"]]])
                ],
                "/v1/queue": ["get": operation("Queue depths (SQS) and record counts per status", ["200": ok("Counts", ref("QueueState"))])],
                "/v1/keys": [
                    "get": operation(
                        "API keys, never their secrets (admin)",
                        [
                            "200": ok(
                                "The keys", ["type": "object", "required": ["keys"], "properties": ["keys": ["type": "array", "items": ref("APIKey")]]]),
                            "403": error("forbidden: not an admin key"),
                        ]),
                    "post": operation(
                        "Create an API key (admin); its secret is shown once",
                        [
                            "201": ok(
                                "The key and its secret",
                                [
                                    "type": "object", "required": ["key", "secret"],
                                    "properties": [
                                        "key": ref("APIKey"), "secret": ["type": "string"],
                                    ],
                                ]),
                            "403": error("forbidden: not an admin key"),
                        ],
                        body: [
                            "required": true,
                            "content": json([
                                "type": "object", "required": ["owner"],
                                "properties": [
                                    "owner": ["type": "string"], "name": ["type": "string"], "admin": ["type": "boolean"],
                                ],
                            ]),
                        ]),
                ],
                "/v1/keys/{id}": [
                    "delete": operation(
                        "Revoke an API key (admin)",
                        [
                            "204": ["description": "Revoked"], "403": error("forbidden: not an admin key"),
                        ], parameters: [["name": "id", "in": "path", "required": true, "schema": ["type": "string"]]])
                ],
                "/v1/dlq": [
                    "get": operation(
                        "The dead-letter queue's depth and up to ten of its messages (admin)",
                        [
                            "200": ok(
                                "The dead letters",
                                [
                                    "type": "object", "required": ["queue", "messages"],
                                    "properties": [
                                        "queue": ["type": "object"],
                                        "messages": [
                                            "type": "array",
                                            "items": [
                                                "type": "object",
                                                "properties": [
                                                    "messageID": ["type": "string"], "videoID": ["type": "string"], "receiveCount": ["type": "integer"],
                                                    "sentAt": ["type": "string", "format": "date-time"], "bytes": ["type": "integer"],
                                                ],
                                            ],
                                        ],
                                    ],
                                ]),
                            "403": error("forbidden: not an admin key"),
                        ])
                ],
                "/v1/dlq/redrive": [
                    "post": operation(
                        "Move up to 1000 dead letters back to the jobs queue (admin)",
                        [
                            "200": ok("How many moved", ["type": "object", "required": ["moved"], "properties": ["moved": ["type": "integer"]]]),
                            "403": error("forbidden: not an admin key"),
                        ])
                ],
            ],
        ]
    }
}
