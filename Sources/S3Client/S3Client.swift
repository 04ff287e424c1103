import AWSSigV4

/// The namespace of VideoQueue's hand-written S3 client.
///
/// The client itself (streaming PutObject, multipart uploads, GetObject, presigned URLs…) arrives
/// with the S3/SQS clients issue; this module exists so the package layout is in place and so the
/// signer's S3 rules have a home for their S3-specific helpers.
public enum S3 {
    /// The SigV4 service name S3 signs with.
    public static let signingName = "s3"
}
