import Foundation
import HTTPTypes
import Hummingbird

/// `GET /`: the web console, one page of plain HTML, CSS and JavaScript with no build step and nothing loaded from
/// elsewhere. It keeps the API key in the tab's session storage, lists the owner's videos (status, live progress,
/// poster thumbnails), shows a video (outputs grouped, an MP4 player, the sprite, cancel / retry / delete) under
/// `#/videos/{id}`, and uploads by drag and drop: through `POST /v1/videos` (multipart) or, above a threshold, as a
/// direct upload with presigned parts sent in parallel.
///
/// The style and script are inline, each marked with a fresh nonce that the response's Content-Security-Policy names:
/// no other script or style runs, requests go to this origin and to the bucket's (direct uploads), and images and
/// media load from this origin (the playback route) and the bucket's (where it redirects).
struct ConsolePage: Sendable {
    /// The page's script, with this producer's job types and default jobs.
    let script: String
    /// Where the URLs this producer presigns point (`scheme://host[:port]`).
    let bucketOrigin: String

    init(jobs: [String], defaultJobs: [String], bucketOrigin: String) {
        script = Self.script(jobs: jobs, defaultJobs: defaultJobs)
        self.bucketOrigin = bucketOrigin
    }

    /// The page with its style and script marked with `nonce`.
    func html(nonce: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>VideoQueue</title>
        <style nonce="\(nonce)">
        \(Self.style)
        </style>
        </head>
        <body>
        \(Self.body)
        <script nonce="\(nonce)">
        \(script)
        </script>
        </body>
        </html>
        """
    }

    /// The Content-Security-Policy for a page whose inline style and script carry `nonce`, where presigned URLs point
    /// at `bucketOrigin`.
    static func policy(nonce: String, bucketOrigin: String) -> String {
        "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; connect-src 'self' \(bucketOrigin); "
            + "img-src 'self' \(bucketOrigin); media-src 'self' \(bucketOrigin); base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'"
    }

    /// A fresh nonce: 16 random bytes (the system's cryptographic generator), base64.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// The page as an answer: a new nonce each time, never cached, never framed.
    func response() -> Response {
        let nonce = Self.nonce()
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.policy(nonce: nonce, bucketOrigin: bucketOrigin),
            .cacheControl: "no-store",
        ]
        if let noSniff = HTTPField.Name("X-Content-Type-Options") { headers[noSniff] = "nosniff" }
        if let referrer = HTTPField.Name("Referrer-Policy") { headers[referrer] = "no-referrer" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html(nonce: nonce))))
    }
}
