/// The headers the signer itself sets or reads, recognized in any case without building a `String`.
enum SignerHeaderName {
    /// `Authorization`: replaced.
    case authorization
    /// `X-Amz-Security-Token`: replaced when the credentials have a token.
    case securityToken
    /// `X-Amz-Date`: replaced.
    case date
    /// `x-amz-content-sha256`: its value is the payload hash when present.
    case contentSHA256

    /// The signer's header `name` is, if any.
    init?(_ name: String) {
        switch name.utf8.count {
        case 13 where Self.matches(name, "authorization"): self = .authorization
        case 10 where Self.matches(name, "x-amz-date"): self = .date
        case 20 where Self.matches(name, "x-amz-security-token"): self = .securityToken
        case 20 where Self.matches(name, "x-amz-content-sha256"): self = .contentSHA256
        default: return nil
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
