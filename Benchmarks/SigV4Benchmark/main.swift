// SigV4 signing benchmark: time per signature against the bare crypto floor of the same work.
//
//   swift run -c release SigV4Benchmark <requests.json> [iterations] [repeats] [parts]
//
// [parts] is a comma-separated subset of `sqs,s3,chunk` (all by default), e.g. to profile one operation with `perf`.
//
// <requests.json> is what `python3 Benchmarks/sigv4/botocore_bench.py --show-requests` prints: the exact
// requests botocore is timed on, and botocore's signatures, which this benchmark checks it reproduces
// before timing anything. `Benchmarks/sigv4.sh` runs both and prints the comparison.
import AWSSigV4
import Crypto
import Foundation
import NIOHTTP1

struct Shapes: Decodable {
    struct CredentialsShape: Decodable {
        var access_key_id: String
        var secret_access_key: String
        var session_token: String
    }
    struct SQS: Decodable {
        var url: String
        var headers: [[String]]
        var body: String
        var headers_after_add_auth: [[String]]
    }
    struct S3: Decodable {
        var url: String
        var expires: Int
        var presigned_url: String
    }
    var credentials: CredentialsShape
    var region: String
    var timestamp: String
    var sqs_send_message: SQS
    var s3_presign_get: S3
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(
        Data("usage: SigV4Benchmark <requests.json from botocore_bench.py --show-requests> [iterations] [repeats] [sqs,s3,chunk]\n".utf8))
    exit(2)
}
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 50_000 : 50_000
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 7 : 7
let parts = Set((arguments.count > 4 ? arguments[4] : "sqs,s3,chunk").split(separator: ",").map(String.init))

let shapes: Shapes
do { shapes = try JSONDecoder().decode(Shapes.self, from: data) } catch {
    FileHandle.standardError.write(Data("cannot decode \(arguments[1]): \(error)\n".utf8))
    exit(2)
}
guard let date = AMZDate.parse(shapes.timestamp) else { fatalError("bad timestamp in \(arguments[1])") }
let credentials = Credentials(
    accessKeyID: shapes.credentials.access_key_id, secretAccessKey: shapes.credentials.secret_access_key,
    sessionToken: shapes.credentials.session_token)
var sqsHeaders = HTTPHeaders()
for header in shapes.sqs_send_message.headers where header.count == 2 { sqsHeaders.add(name: header[0], value: header[1]) }
let sqsTemplate = try SigV4Request(method: "POST", url: shapes.sqs_send_message.url, headers: sqsHeaders)
let sqsBody = Array(shapes.sqs_send_message.body.utf8)
let s3Template = try SigV4Request(method: "GET", url: shapes.s3_presign_get.url)
let chunk = [UInt8](repeating: 0x61, count: 65_536)

/// Keeps results alive so the optimizer cannot drop the work.
nonisolated(unsafe) var sink = 0

// MARK: The operations

/// What `AWSHTTPClient` does per request with a body in memory: a signer from the current credentials, the body's hash,
/// the request signed in place (its headers then go on the wire).
@inline(never) func signSQS() -> Int {
    var request = sqsTemplate
    let signer = SigV4Signer(credentials: credentials, region: shapes.region, service: "sqs")
    signer.authorize(&request, body: .bytes(sqsBody), date: date)
    return request.headers.count
}

/// What `S3Client.presignedURL` does: a signer from the current credentials and the URL.
@inline(never) func presignS3() throws -> String {
    let signer = SigV4Signer(credentials: credentials, region: shapes.region, service: "s3")
    return try signer.presignedURL(s3Template, expires: shapes.s3_presign_get.expires, date: date)
}

// Check that we sign exactly what botocore signs before timing anything.
var check = sqsTemplate
SigV4Signer(credentials: credentials, region: shapes.region, service: "sqs").authorize(&check, body: .bytes(sqsBody), date: date)
let expectedAuthorization = shapes.sqs_send_message.headers_after_add_auth.first { $0.first == "Authorization" }?.last
guard check.headers.first(name: "Authorization") == expectedAuthorization else {
    fatalError("SQS signature differs from botocore's: \(check.headers.first(name: "Authorization") ?? "-")")
}
guard
    try presignS3()
        == shapes.s3_presign_get.presigned_url.replacingOccurrences(
            of: "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host", with: "&X-Amz-SignedHeaders=host&X-Amz-Expires=3600")
else {
    fatalError("S3 presigned URL differs from botocore's")
}

// The crypto floor: the hashes and the one HMAC every signature needs, with the signing key already derived.
let signingKey = HMACKey(key: Array(SHA256.hash(data: Array("floor".utf8))))
var sqsSignature = sqsTemplate
let sqsSigned = SigV4Signer(credentials: credentials, region: shapes.region, service: "sqs").sign(&sqsSignature, body: .bytes(sqsBody), date: date)
let sqsCanonical = sqsSigned.canonicalRequest.bytes
let sqsStringToSign = sqsSigned.stringToSign.bytes
let s3Presigned = try SigV4Signer(credentials: credentials, region: shapes.region, service: "s3").presign(s3Template, expires: 3600, date: date)
let s3Canonical = s3Presigned.signature.canonicalRequest.bytes
let s3StringToSign = s3Presigned.signature.stringToSign.bytes
let chunkStringToSign = [UInt8](repeating: 0x61, count: 24 + 17 + 40 + 65 * 3)

@inline(never) func floorSQS() -> Int {
    let body = SHA256.hash(data: sqsBody)
    let canonical = SHA256.hash(data: sqsCanonical)
    let mac = signingKey.authenticationCode(for: sqsStringToSign)
    return body.withUnsafeBytes { Int($0[0]) } &+ canonical.withUnsafeBytes { Int($0[0]) } &+ mac.withUnsafeBytes { Int($0[0]) }
}

@inline(never) func floorS3() -> Int {
    let canonical = SHA256.hash(data: s3Canonical)
    let mac = signingKey.authenticationCode(for: s3StringToSign)
    return canonical.withUnsafeBytes { Int($0[0]) } &+ mac.withUnsafeBytes { Int($0[0]) }
}

@inline(never) func floorChunk() -> Int {
    let hash = SHA256.hash(data: chunk)
    let mac = signingKey.authenticationCode(for: chunkStringToSign)
    // `^`, not `&+`: otherwise the optimizer merges this function with floorS3 and profiles cannot tell them apart.
    return hash.withUnsafeBytes { Int($0[0]) } ^ mac.withUnsafeBytes { Int($0[0]) }
}

var chunkSigner: ChunkSigner = {
    var request = SigV4Request(method: "PUT", host: "examplebucket.s3.amazonaws.com", path: "/videos/upload.mp4")
    guard let payload = try? StreamingPayload.signed(decodedLength: 1 << 30) else { fatalError("bad streaming payload") }
    return SigV4Signer(credentials: credentials, region: shapes.region, service: "s3").sign(&request, body: .streaming(payload), date: date).chunkSigner()
}()

// MARK: Timing

/// The medians over `repeats` rounds of the time per call of `operation` and of its `floor`, in microseconds. Each round
/// times both, one after the other, so that a change in the machine's speed during the run (a busy neighbour, a frequency
/// change) weighs on both alike.
func measure(_ iterations: Int, _ operation: () throws -> Int, floor: () -> Int) rethrows -> (operation: Double, floor: Double) {
    func time(_ body: () throws -> Int) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations { sink &+= try body() }
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) * 1e6 / Double(iterations) + Double(elapsed.components.attoseconds) / 1e12 / Double(iterations)
    }
    for _ in 0..<min(3_000, iterations) { sink &+= try operation() &+ floor() }  // warm-up (fewer for short runs, e.g. under callgrind)
    var operationSamples: [Double] = []
    var floorSamples: [Double] = []
    for _ in 0..<repeats {
        operationSamples.append(try time(operation))
        floorSamples.append(time(floor))
    }
    return (operationSamples.sorted()[repeats / 2], floorSamples.sorted()[repeats / 2])
}

var result: [String: Double] = [:]
if parts.contains("sqs") {
    (result["sqs_send_message_header_us"], result["sqs_send_message_floor_us"]) = measure(iterations, signSQS, floor: floorSQS)
}
if parts.contains("s3") {
    (result["s3_presign_get_us"], result["s3_presign_get_floor_us"]) = try measure(iterations, { try presignS3().utf8.count }, floor: floorS3)
}
if parts.contains("chunk") {
    (result["chunk_64k_us"], result["chunk_64k_floor_us"]) = measure(
        max(1, iterations / 20), { chunkSigner.sign(chunk: chunk).utf8.count },
        floor: floorChunk)
}
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
if sink == 42 { print("") }
