import AWSClientRuntime
import Foundation
import NIOCore
import NIOHTTP1

extension SQSClient {
    /// Calls `action` with `input` as AWS JSON 1.0 and decodes the answer.
    func call<Output: Decodable>(
        _ action: String, _ input: some Encodable, as output: Output.Type = Output.self,
        timeout: Duration? = nil
    ) async throws -> Output {
        let body: Data
        do {
            body = try JSONEncoder().encode(input)
        } catch {
            throw SQSError(code: .invalidParameterValue, message: "\(action): cannot encode the request: \(error)")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-amz-json-1.0")
        headers.add(name: "X-Amz-Target", value: "AmazonSQS.\(action)")
        let request = AWSRequest(
            operation: action, method: .POST, path: "/", headers: headers,
            body: .bytes(ByteBuffer(bytes: body)), timeout: timeout)
        let response = try await http.send(request)
        guard response.isSuccess else {
            throw SQSError(http.decodeError(response), status: response.status)
        }
        let data = Data(response.body.readableBytesView)
        do {
            return try JSONDecoder().decode(Output.self, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch {
            throw SQSError(
                code: .invalidResponse, message: "\(action): the answer is not SQS JSON: \(error)",
                requestID: response.requestID, statusCode: Int(response.status.code))
        }
    }

    /// Reads an SQS error body: JSON (`__type`, `message`) from SQS and LocalStack; the XML of the older
    /// query protocol (which some emulators still answer authentication failures with); else the
    /// `x-amzn-query-error` header.
    static func decodeError(_ response: AWSResponse) -> AWSErrorDetails? {
        let data = Data(response.body.readableBytesView)
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            let code = (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String)
            let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
            if let code { return AWSErrorDetails(code: code, message: message, requestID: response.requestID) }
        }
        let text = String(decoding: data, as: UTF8.self)
        if let code = xmlElement("Code", in: text) {
            return AWSErrorDetails(
                code: code, message: xmlElement("Message", in: text) ?? "",
                requestID: response.requestID ?? xmlElement("RequestId", in: text))
        }
        if let queryError = response.headers.first(name: "x-amzn-query-error"), let code = queryError.split(separator: ";").first {
            return AWSErrorDetails(code: String(code), message: response.status.reasonPhrase, requestID: response.requestID)
        }
        return nil
    }

    private static func xmlElement(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
