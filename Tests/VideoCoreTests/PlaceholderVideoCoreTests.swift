import Testing
@testable import VideoCore
@Test func placeholderVideoCore() { #expect(Bool(true)) }
