import AWSClientRuntime
import Foundation
import NIOCore
import NIOHTTP1

/// The AWS query protocol (CloudWatch, EC2 Auto Scaling): a form-encoded POST of `Action`, `Version` and
/// flattened parameters (`MetricData.member.1.MetricName=…`), an XML answer.
public enum QueryProtocol {
    /// `application/x-www-form-urlencoded` with only `A-Z a-z 0-9 - _ . ~` left raw (what SigV4 expects too).
    public static func formBody(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    public static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// A signed POST of `parameters` (after `Action` and `Version`).
    public static func request(action: String, version: String, parameters: [(String, String)]) -> AWSRequest {
        let body = formBody([("Action", action), ("Version", version)] + parameters)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        return AWSRequest(operation: action, method: .POST, path: "/", headers: headers, body: .bytes(ByteBuffer(string: body)))
    }

    /// Reads `<Error><Code>…</Code><Message>…</Message></Error>`.
    public static func decodeError(_ response: AWSResponse) -> AWSErrorDetails? {
        let text = String(buffer: response.body)
        guard let code = element("Code", in: text) else { return nil }
        return AWSErrorDetails(
            code: code, message: element("Message", in: text) ?? "",
            requestID: response.requestID ?? element("RequestId", in: text))
    }

    /// The text of the first `<name>…</name>` in `text`, XML entities decoded.
    public static func element(_ name: String, in text: String) -> String? {
        elements(name, in: text).first
    }

    /// The texts of every `<name>…</name>` in `text`, in order.
    public static func elements(_ name: String, in text: String) -> [String] {
        var result: [String] = []
        var searchFrom = text.startIndex
        while let start = text.range(of: "<\(name)>", range: searchFrom..<text.endIndex),
            let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex)
        {
            result.append(unescape(String(text[start.upperBound..<end.lowerBound])))
            searchFrom = end.upperBound
        }
        return result
    }

    public static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
