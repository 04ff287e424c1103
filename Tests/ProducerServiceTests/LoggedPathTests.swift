import Testing

@testable import ProducerService

@Suite("What the access log shows of a path")
struct LoggedPathTests {
    @Test func bearerTokensInPathsNeverReachTheLog() {
        #expect(LoggedPath.of("/v1/play/eyJ2aWRlbyI6MX0.c2ln/hls/master.m3u8") == "/v1/play/{token}/hls/master.m3u8")
        #expect(LoggedPath.of("/v1/uploads/secret-token/complete") == "/v1/uploads/{token}/complete")
        #expect(LoggedPath.of("/v1/uploads") == "/v1/uploads")
        #expect(LoggedPath.of("/v1/uploads/") == "/v1/uploads/")
        #expect(LoggedPath.of("/v1/videos/0c5e/events") == "/v1/videos/0c5e/events")
        #expect(LoggedPath.of("/play/x") == "/play/x")
        #expect(LoggedPath.of("") == "")
    }
}
