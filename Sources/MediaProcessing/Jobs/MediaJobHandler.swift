/// One kind of job (`transcode`, `hls`…): turns an input into files in the job's output directory.
///
/// Add a job type by writing a handler and registering it in a `MediaJobRegistry`.
public protocol MediaJobHandler: Sendable {
    /// The job type's name, as it appears in queue messages (e.g. `"transcode"`).
    var name: String { get }
    /// Runs the job; reports progress through `job.report`, writes only under `job.outputDirectory`.
    /// - Throws: `MediaError`.
    func run(_ job: MediaJobContext) async throws -> [ProducedFile]
}
