import Testing
@Test func consumerPlaceholder() { #expect(Bool(true)) }
