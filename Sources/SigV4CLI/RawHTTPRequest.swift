import AWSSigV4
import Foundation
import NIOHTTP1

/// An HTTP/1.1 request in the text form of the AWS SigV4 test suite's `request.txt`:
/// a request line, `Name:value` header lines (a line starting with whitespace continues the previous
/// value), an empty line, then the body.
public struct RawHTTPRequest: Sendable, Equatable {
    /// One header as written: its name, its value with continuation lines joined by `\n`, and its raw lines.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public var rawLines: [String]
    }

    /// The method, e.g. `GET`.
    public var method: String
    /// The target as written: path and optional `?query`, not re-encoded.
    public var target: String
    /// The protocol version, e.g. `HTTP/1.1`.
    public var version: String
    /// The headers in order.
    public var headers: [Header]
    /// The body bytes (possibly empty).
    public var body: [UInt8]

    /// The path part of ``target``.
    public var path: String {
        target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
    }

    /// The query part of ``target``, without `?`.
    public var query: String {
        target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } ?? ""
    }

    /// Parses `bytes`; `source` names the input in errors.
    public init(parsing bytes: [UInt8], source: String = "request") throws(CLIError) {
        guard !bytes.isEmpty else { throw CLIError("\(source): empty request") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CLIError("\(source): the request head is not valid UTF-8")
        }
        // Split the head from the body at the first empty line.
        var lines: [Substring] = []
        var body: [UInt8] = []
        var rest = text[...]
        while true {
            guard let newline = rest.firstIndex(of: "\n") else {
                lines.append(rest)
                rest = rest[rest.endIndex...]
                break
            }
            var line = rest[..<newline]
            if line.hasSuffix("\r") { line = line.dropLast() }
            rest = rest[rest.index(after: newline)...]
            if line.isEmpty {
                body = Array(rest.utf8)
                break
            }
            lines.append(line)
        }
        if let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else { throw CLIError("\(source): line 1: missing request line") }

        guard let firstSpace = requestLine.firstIndex(of: " "),
            let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace
        else {
            throw CLIError("\(source): line 1: malformed request line (expected 'METHOD /path HTTP/1.1')")
        }
        let method = requestLine[..<firstSpace]
        let target = requestLine[requestLine.index(after: firstSpace)..<lastSpace]
        let version = requestLine[requestLine.index(after: lastSpace)...]
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter && $0.isASCII }) else {
            throw CLIError("\(source): line 1: malformed request line (bad method)")
        }
        guard target.hasPrefix("/") else {
            throw CLIError("\(source): line 1: malformed request line (the target must start with '/')")
        }
        guard version.hasPrefix("HTTP/") else {
            throw CLIError("\(source): line 1: malformed request line (expected an HTTP version such as HTTP/1.1)")
        }

        var headers: [Header] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let lineNumber = offset + 2
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else {
                    throw CLIError("\(source): line \(lineNumber): continuation line before any header")
                }
                headers[headers.count - 1].value += "\n" + line
                headers[headers.count - 1].rawLines.append(String(line))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw CLIError("\(source): line \(lineNumber): malformed header (expected 'Name:value')")
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw CLIError("\(source): line \(lineNumber): malformed header name")
            }
            headers.append(Header(name: String(name), value: String(line[line.index(after: colon)...]), rawLines: [String(line)]))
        }
        self.method = String(method)
        self.target = String(target)
        self.version = String(version)
        self.headers = headers
        self.body = body
    }

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws(CLIError) {
        try self.init(parsing: try readFile(path, what: "request file"), source: path)
    }

    /// The request as the signer sees it; the host comes from the `Host` header.
    public func sigV4Request(scheme: String = "https") throws(CLIError) -> SigV4Request {
        guard let host = headers.first(where: { $0.name.lowercased() == "host" })?.value.trimmingCharacters(in: .whitespaces),
            !host.isEmpty
        else {
            throw CLIError("request has no Host header")
        }
        var httpHeaders = HTTPHeaders()
        for header in headers { httpHeaders.add(name: header.name, value: header.value) }
        return SigV4Request(method: method, scheme: scheme, host: host, path: path, query: query, headers: httpHeaders)
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// Reads a whole (small) input file, turning failures into a one-line ``CLIError``.
func readFile(_ path: String, what: String) throws(CLIError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            throw CLIError("cannot read \(what) \(path)\(isDirectory.boolValue ? ": it is a directory" : ": permission denied")")
        }
        throw CLIError("cannot read \(what) \(path): no such file")
    }
    return Array(data)
}
