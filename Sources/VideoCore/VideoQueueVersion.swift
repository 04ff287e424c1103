/// The version of this build of VideoQueue: what `--version` prints and `videoqueue_build_info` carries.
public enum VideoQueueVersion {
    /// The release, `major.minor.patch`.
    public static let current = "0.16.0"
}
