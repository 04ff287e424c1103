import AWSClientRuntime
import Foundation

/// Reads S3's XML error bodies: `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`.
enum S3ErrorDocument {
    @Sendable static func decode(_ response: AWSResponse) -> AWSErrorDetails? {
        guard response.body.readableBytes > 0,
            let root = try? S3XMLElement.parse(Data(response.body.readableBytesView)), root.name == "Error"
        else {
            return nil
        }
        return details(from: root, requestID: response.requestID)
    }

    static func details(from root: S3XMLElement, requestID: String?) -> AWSErrorDetails {
        AWSErrorDetails(
            code: root.text("Code") ?? "Unknown", message: root.text("Message") ?? "",
            requestID: requestID ?? root.text("RequestId"))
    }
}
