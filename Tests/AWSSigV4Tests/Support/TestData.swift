import Foundation

/// Locations of the shared test data (`../shared/testdata` beside the repository, as in CI).
enum TestData {
    /// The repository's root directory.
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    /// `shared/testdata`, overridable with `VIDEOQUEUE_TESTDATA`.
    static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["VIDEOQUEUE_TESTDATA"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }()

    /// The official AWS SigV4 test suite's `v4` directory.
    static let sigV4Suite = root.appendingPathComponent("aws-signing-test-suite/v4")

    /// The names of the suite's cases, sorted (empty when the suite is missing; a test checks the count).
    static let sigV4CaseNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sigV4Suite.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: sigV4Suite.appendingPathComponent("\($0)/request.txt").path) }.sorted()
    }()

    /// The text of a file of a suite case.
    static func sigV4File(_ caseName: String, _ file: String) throws -> String {
        try String(contentsOf: sigV4Suite.appendingPathComponent("\(caseName)/\(file)"), encoding: .utf8)
    }
}
