/// The WebSocket message budget of one connection: a token bucket of `2 × perSecond` refilled at `perSecond`.
/// A message over budget is answered once a second (`refused`) and otherwise ignored (`dropped`), so a flood
/// cannot make the server write as much as it reads; a client that keeps sending over budget
/// (`10 × perSecond` refusals without a message allowed in between) is `abusive` and disconnected.
struct MessageBucket {
    enum Verdict: Equatable {
        case allowed, refused, dropped, abusive
    }

    let perSecond: Int
    private var tokens: Double
    private var updated: ContinuousClock.Instant
    private var refusedSinceAllowed = 0
    private var lastAnswer: ContinuousClock.Instant?

    init(perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.perSecond = max(1, perSecond)
        tokens = Double(2 * self.perSecond)
        updated = now
    }

    /// The verdict on one more message arriving `now`.
    mutating func take(now: ContinuousClock.Instant = .now) -> Verdict {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(Double(2 * perSecond), tokens + seconds * Double(perSecond))
        updated = now
        if tokens >= 1 {
            tokens -= 1
            refusedSinceAllowed = 0
            return .allowed
        }
        refusedSinceAllowed += 1
        if refusedSinceAllowed > 10 * perSecond { return .abusive }
        if let last = lastAnswer, now - last < .seconds(1) { return .dropped }
        lastAnswer = now
        return .refused
    }
}
