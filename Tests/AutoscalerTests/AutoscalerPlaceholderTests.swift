import Testing
@Test func autoscalerPlaceholder() { #expect(Bool(true)) }
