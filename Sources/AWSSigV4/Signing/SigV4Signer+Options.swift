extension SigV4Signer {
    /// Where a session token goes relative to the signature.
    public enum SessionTokenPlacement: Sendable, Hashable {
        /// Signed: `x-amz-security-token` is part of the canonical request (what almost every service wants).
        case signed
        /// Added to the request but left out of the signature, as a few services (IoT, some STS flows) require.
        case afterSigning
    }

    /// The rules that differ between services.
    public struct Options: Sendable, Hashable {
        /// Remove dot segments and duplicate slashes from the path before signing (every service but S3).
        public var normalizePath: Bool
        /// Encode the already-encoded path once more (every service but S3).
        public var doubleEncodePath: Bool
        /// Send and sign `x-amz-content-sha256` (S3 requires it).
        public var addContentSHA256Header: Bool
        /// Whether the session token is signed.
        public var sessionTokenPlacement: SessionTokenPlacement
        /// Lower-case names of headers never signed: they may be changed by proxies or the HTTP client.
        public var unsignedHeaders: Set<String> {
            get { customUnsigned?.names ?? Self.defaultUnsignedHeaders }
            set { customUnsigned = newValue == Self.defaultUnsignedHeaders ? nil : UnsignedHeaderNames(newValue) }
        }
        /// ``unsignedHeaders`` in the form the canonical request matches against.
        var unsignedHeaderNames: HeaderNameSet { customUnsigned?.set ?? Self.defaultUnsigned.set }
        /// The unsigned headers when they are not the defaults: the options of a signer made per request (the usual case)
        /// hold no reference.
        private var customUnsigned: UnsignedHeaderNames?

        /// The headers left out of signatures by default.
        public static let defaultUnsignedHeaders: Set<String> = [
            "authorization", "user-agent", "expect", "x-amzn-trace-id", "connection", "transfer-encoding",
            "keep-alive", "proxy-authorization", "te", "upgrade",
        ]

        /// The rules of `service`: S3's for `s3` (no normalization, no double encoding, `x-amz-content-sha256`
        /// sent), the general ones for every other service.
        public init(service: String) {
            // Lengths first: most services' names are not 2, 9 or 16 bytes long, and need no string comparison.
            let length = service.utf8.count
            let isS3 = (length == 2 || length == 9 || length == 16) && (service == "s3" || service == "s3express" || service == "s3-object-lambda")
            normalizePath = !isS3
            doubleEncodePath = !isS3
            addContentSHA256Header = isS3
            sessionTokenPlacement = .signed
        }

        private static let defaultUnsigned = UnsignedHeaderNames(defaultUnsignedHeaders)

        /// Rules set one by one.
        public init(
            normalizePath: Bool, doubleEncodePath: Bool, addContentSHA256Header: Bool,
            sessionTokenPlacement: SessionTokenPlacement = .signed, unsignedHeaders: Set<String> = Options.defaultUnsignedHeaders
        ) {
            self.normalizePath = normalizePath
            self.doubleEncodePath = doubleEncodePath
            self.addContentSHA256Header = addContentSHA256Header
            self.sessionTokenPlacement = sessionTokenPlacement
            self.unsignedHeaders = unsignedHeaders
        }
    }
}
