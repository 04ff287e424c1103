import NIOHTTP1

/// Which of the headers the signer sets or reads a request already has, found in one pass over its headers
/// (names compared without regard to case).
struct PresentHeaders {
    /// `Authorization` is there (and will be replaced).
    private(set) var authorization = false
    /// `X-Amz-Security-Token` is there.
    private(set) var securityToken = false
    /// `X-Amz-Date` is there.
    private(set) var date = false
    /// The first `x-amz-content-sha256` value.
    private(set) var contentSHA256: String?

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            switch name.utf8.count {
            case 13: if Self.matches(name, "authorization") { authorization = true }
            case 10: if Self.matches(name, "x-amz-date") { date = true }
            case 20:
                if Self.matches(name, "x-amz-security-token") {
                    securityToken = true
                } else if contentSHA256 == nil, Self.matches(name, "x-amz-content-sha256") {
                    contentSHA256 = value
                }
            default: continue
            }
        }
    }

    /// Whether `name` is `lowercased` (which is lower-case ASCII) in any case.
    private static func matches(_ name: String, _ lowercased: StaticString) -> Bool {
        lowercased.withUTF8Buffer { expected in
            name.utf8.elementsEqual(expected) { byte, lower in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == lower
            }
        }
    }
}
