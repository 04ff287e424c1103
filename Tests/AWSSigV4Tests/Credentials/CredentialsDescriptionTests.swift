import Foundation
import Testing

@testable import AWSSigV4

@Suite("Credentials redaction")
struct CredentialsDescriptionTests {
    let credentials = Credentials(
        accessKeyID: "ASIAREDACTIONTEST",
        secretAccessKey: "very-secret-access-key",
        sessionToken: "very-secret-session-token",
        expiration: TestClock.start
    )

    func expectRedacted(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains("very-secret-access-key"), sourceLocation: sourceLocation)
        #expect(!text.contains("very-secret-session-token"), sourceLocation: sourceLocation)
    }

    @Test func descriptionShowsKeyIDButNotSecretOrToken() {
        #expect(credentials.description.contains("ASIAREDACTIONTEST"))
        expectRedacted(credentials.description)
    }

    @Test func debugDescriptionIsRedacted() {
        expectRedacted(credentials.debugDescription)
        expectRedacted(String(reflecting: credentials))
    }

    @Test func stringInterpolationIsRedacted() {
        expectRedacted("\(credentials)")
        expectRedacted("\([credentials])")
        expectRedacted("\(Optional(credentials) as Any)")
    }

    @Test func dumpIsRedacted() {
        var output = ""
        dump(credentials, to: &output)
        expectRedacted(output)
    }
}
