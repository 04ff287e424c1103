import Testing
@testable import VideoStore
@Test func placeholderVideoStore() { #expect(Bool(true)) }
