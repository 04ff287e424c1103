// S3 transfer of one file with VideoQueue's client, for Benchmarks/s3.sh (which times it and reads its RSS).
//
//   S3Benchmark upload   <endpoint-url> <bucket> <key> <file> [part-MiB] [parts-in-flight]
//   S3Benchmark download <endpoint-url> <bucket> <key> <file>
//
// Credentials test/test (LocalStack). Uploads go multipart above 16 MiB with `parts-in-flight` parts of
// `part-MiB` at once (8 MiB × 4 by default: memory stays near 32 MiB of part buffers).
import AWSClientRuntime
import AWSSigV4
import Foundation
import S3Client

let arguments = CommandLine.arguments
guard arguments.count >= 6, ["upload", "download"].contains(arguments[1]), let endpoint = AWSEndpoint(url: arguments[2]) else {
    FileHandle.standardError.write(Data("usage: S3Benchmark upload|download <endpoint-url> <bucket> <key> <file> [part-MiB] [parts-in-flight]\n".utf8))
    exit(2)
}
let (bucket, key, file) = (arguments[3], arguments[4], arguments[5])
var options = S3ClientOptions()
options.partSize = (arguments.count > 6 ? Int(arguments[6]) ?? 8 : 8) << 20
options.maximumConcurrentParts = arguments.count > 7 ? Int(arguments[7]) ?? 4 : 4
let s3 = S3Client(
    configuration: AWSClientConfiguration(
        region: "us-east-1", endpoint: endpoint,
        credentialProvider: StaticCredentialProvider(credentials: Credentials(accessKeyID: "test", secretAccessKey: "test"))),
    options: options)

if arguments[1] == "upload" {
    let result = try await s3.upload(file: file, bucket: bucket, key: key)
    print("uploaded \(key): \(result.eTag) in \(result.partCount) parts")
} else {
    let info = try await s3.download(bucket: bucket, key: key, to: file)
    print("downloaded \(key): \(info.contentLength) bytes")
}
